-- wrk script: POST a task update (multipart, with the session's CSRF token) to a different task each time.
-- Environment: TASKS = file of "id version" lines, CSRF = token, SHARE = "k/n" (this wrk takes every n-th
-- task from the k-th on, so two wrk instances never post to the same task).
local tasks = {}
local share_k, share_n = (os.getenv("SHARE") or "0/1"):match("(%d+)/(%d+)")
share_k, share_n = tonumber(share_k), tonumber(share_n)
local i = 0
for line in io.lines(os.getenv("TASKS")) do
  local id, version = line:match("(%d+)%s+(%d+)")
  if id and i % share_n == share_k then tasks[#tasks + 1] = { id, version } end
  i = i + 1
end
local csrf = os.getenv("CSRF")
local boundary = "----chisobench"
-- Each wrk thread (its own Lua state) walks its own stride of the list: thread t posts tasks t, t+T, t+2T …
local stride = tonumber(os.getenv("WRK_THREADS") or "2")
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  next_index = tid or 0
end

local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  -- Past the end of the list tasks repeat with a stale version (409): keep runs shorter than the list.
  local t = tasks[(next_index % #tasks) + 1]
  next_index = next_index + stride
  local body = field("csrf", csrf) .. field("status", "in_progress") .. field("percent", "60")
    .. field("narrative", "Cập nhật thử tải (dữ liệu thử tải)") .. field("version", t[2]) .. "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/tasks/" .. t[1] .. "/updates",
    { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }, body)
end
