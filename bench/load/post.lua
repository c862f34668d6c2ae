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
-- DELAY_MS (optional): each connection waits that long between its requests — a steady trickle of updates
-- (the "while updates land" row of run.sh) instead of as many as the server takes.
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end
local boundary = "----chisobench"
-- Each wrk thread (its own Lua state) walks its own stride of the list: thread t posts tasks t, t+T, t+2T …
local stride = tonumber(os.getenv("WRK_THREADS") or "2")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- A saved update answers 303 to the task's page; anything else (a 303 to /login, a 409 for a stale version,
-- a 4xx/5xx) is counted as a failure and printed by done() as "FAILED n".
-- The first few failures of each thread are kept (status, where it redirected, the start of the body) and
-- printed too, so that a failure can be explained.
failed = 0
seen = ""
saved = {}
function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  local id = location:match("^/tasks/(%d+)")
  if status == 303 and id then saved[id] = (saved[id] or 0) + 1 end
  if status ~= 303 or not id then
    failed = failed + 1
    if failed <= 3 then
      local text = (body or ""):gsub("%s+", " "):match("<h1>(.-)</h1>") or (body or ""):gsub("%s+", " "):sub(1, 160)
      seen = seen .. string.format("FAIL %d %s %s\n", status, location, text)
    end
  end
end

function done(summary, latency, requests)
  local n, lines = 0, ""
  for _, t in ipairs(threads) do
    n = n + (t:get("failed") or 0)
    lines = lines .. (t:get("seen") or "")
  end
  io.write(string.format("FAILED %d\n", n))
  io.write(lines)
end

function init(args)
  next_index = tid or 0
end

local function field(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. name .. "\"\r\n\r\n" .. value .. "\r\n"
end

function request()
  -- Past the end of the list the tasks come round again, with the version their saved updates give them: a
  -- saved update answers 303 to /tasks/ID, and response() counts it. (The version is not "one more per
  -- pass": wrk calls request() once to check the script before it starts, a request never sent, so the
  -- first task of thread 0 is not posted in the first pass — that was the 1–3 "failures", 409 for a stale
  -- version, of earlier runs.)
  local t = tasks[(next_index % #tasks) + 1]
  next_index = next_index + stride
  local version = tonumber(t[2]) + (saved[t[1]] or 0)
  local body = field("csrf", csrf) .. field("status", "in_progress") .. field("percent", "60")
    .. field("narrative", "Cập nhật thử tải (dữ liệu thử tải)") .. field("version", tostring(version)) .. "--" .. boundary .. "--\r\n"
  -- wrk.format does not add wrk.headers (Host, the -H cookie) when given headers of its own: copy them.
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  return wrk.format("POST", "/tasks/" .. t[1] .. "/updates", headers, body)
end
