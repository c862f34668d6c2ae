//! Who does what: implementation duties become tasks led by their agency; tasks of the tasks
//! section get a proposed lead only with evidence; appendix tables from text flattened by
//! legal web sites; the JSON contract of a task.

use chiso_docs::{Task, parse_plan};

fn seed(name: &str) -> chiso_docs::ParsedPlan {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../datasets/plans/");
    let file = std::fs::read_dir(dir).unwrap().filter_map(Result::ok).find(|e| e.file_name().to_string_lossy().starts_with(name)).unwrap();
    parse_plan(&std::fs::read(file.path()).unwrap(), &file.file_name().to_string_lossy()).unwrap()
}

fn duties(p: &chiso_docs::ParsedPlan) -> Vec<&Task> {
    p.tasks.iter().filter(|t| t.source == "implementation").collect()
}

#[test]
fn implementation_duties_are_tasks_led_by_their_agency() {
    let p = seed("000");
    let d = duties(&p);
    assert_eq!(d.len(), 18, "every bullet / paragraph of III.1–III.9");
    let gd = d.iter().find(|t| t.code == "III.6.d1").unwrap();
    assert_eq!(gd.lead, vec!["Phòng Giáo dục và Đào tạo huyện"]);
    assert!(gd.text.contains("giáo dục Tiểu học"));
    assert_eq!(gd.evidence.as_deref(), Some(gd.text.as_str()));
    let health = d.iter().find(|t| t.code == "III.7.d1").unwrap();
    assert_eq!(health.lead, vec!["Phòng Y tế huyện", "Trung tâm y tế huyện"], "two bodies, two leads");
    let communes = d.iter().find(|t| t.code == "III.8.d1").unwrap();
    assert_eq!(communes.lead, vec!["Ủy ban nhân dân các xã, thị trấn"], "a group leads as written");
    assert_eq!(communes.recurrence.as_deref(), Some("quarterly"), "'Định kỳ hàng quý'");
    let tnmt = d.iter().find(|t| t.code == "III.5.d2").unwrap();
    assert_eq!(tnmt.coordinating_agencies, vec!["Văn phòng đăng ký đất đai chi nhánh Thanh Liêm"]);
    // "theo quy định" is no quarter.
    assert_eq!(d.iter().find(|t| t.code == "III.1.d1").unwrap().recurrence, None);
}

#[test]
fn officers_and_dated_duties() {
    let p = seed("001");
    let d = duties(&p);
    let officer = d.iter().find(|t| t.lead == ["Công chức Tư pháp thị trấn"]).expect("officer-level assignee");
    assert!(officer.text.contains("văn bản quy phạm pháp luật"));
    let p = seed("003");
    let d = duties(&p);
    let plan_duty =
        d.iter().find(|t| t.due_date.map(|x| x.to_string()) == Some("2022-02-20".into())).expect("'chậm nhất là ngày 20/02/2022'");
    assert_eq!(plan_duty.lead, vec!["Các cơ quan, đơn vị", "UBND các xã, thị trấn"]);
    let nv = d.iter().find(|t| t.lead == ["Phòng Nội vụ"]).unwrap();
    assert_eq!(nv.due_date.map(|x| x.to_string()), Some("2022-06-10".into()), "'trước ngày 10/6' in the plan's year");
    let mttq = d.iter().find(|t| t.lead == ["Ủy ban Mặt trận Tổ quốc Việt Nam huyện"]).unwrap();
    assert!(mttq.text.contains("Ban Thanh tra nhân dân"));
}

#[test]
fn solution_tasks_are_led_only_with_evidence() {
    for s in ["000", "001", "002", "003", "004"] {
        let p = seed(s);
        for t in p.tasks.iter().filter(|t| t.source == "tasks") {
            if t.lead.is_empty() {
                assert!(t.evidence.is_none() && t.confidence.is_none(), "{s} {}", t.code);
            } else {
                assert!(t.evidence.is_some() && t.confidence.is_some_and(|c| c > 0.0 && c <= 1.0), "{s} {}", t.code);
            }
        }
    }
    let text = "KẾ HOẠCH\nCải cách hành chính năm 2024\nI. NHIỆM VỤ\n1. Rà soát, công bố thủ tục hành chính. Giao Phòng Tư pháp chủ trì, phối hợp với Văn phòng HĐND và UBND huyện thực hiện.\n2. Tuyên truyền về cải cách hành chính.\n";
    let p = parse_plan(text.as_bytes(), "x.txt").unwrap();
    let t = p.tasks.iter().find(|t| t.code == "I.1").unwrap();
    assert_eq!(t.lead, vec!["Phòng Tư pháp"]);
    assert_eq!(t.lead_source.as_deref(), Some("text"));
    assert_eq!(t.coordinating_agencies, vec!["Văn phòng HĐND và UBND huyện"]);
    assert!(t.evidence.as_deref().unwrap().starts_with("Giao Phòng Tư pháp chủ trì"));
    assert!(p.tasks.iter().find(|t| t.code == "I.2").unwrap().lead.is_empty(), "no evidence, no lead");
}

#[test]
fn a_table_flattened_by_a_legal_web_site() {
    let text = "\
ỦY BAN NHÂN DÂN HUYỆN A\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n|\nSố: 12/KH-UBND\n|\nA, ngày 05 tháng 01 năm 2025\n\nKẾ HOẠCH\nCải cách hành chính năm 2025\n\
I. NHIỆM VỤ\n1. Nhiệm vụ theo phụ lục.\n\nPHỤ LỤC\n\
STT\n|\nNội dung nhiệm vụ\n|\nCơ quan chủ trì\n|\nCơ quan phối hợp\n|\nThời gian hoàn thành\n|\nSản phẩm\n|\n\
I\n|\nCÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH\n|\n\
1\n|\nBan hành Kế hoạch cải cách hành chính năm 2025\n|\nPhòng Nội vụ\n|\nCác cơ quan, đơn vị\n|\nTrước ngày 30/01/2025\n|\nKế hoạch\n|\n\
2\n|\nKiểm tra công tác cải cách\nhành chính tại các xã\n|\nPhòng Nội vụ\n|\nVăn phòng HĐND và UBND huyện\n|\nQuý IV/2025\n|\nBáo cáo kiểm tra\n|\n\
II\n|\nCẢI CÁCH THỦ TỤC HÀNH CHÍNH\n|\n\
1\n|\nCông khai thủ tục hành chính\n|\nVăn phòng HĐND và UBND huyện\n|\nUBND các xã, thị trấn\n|\nThường xuyên\n|\nDanh mục TTHC\n|\n\
2\n|\nRà soát thủ tục hành chính\n|\nPhòng Tư pháp\n|\n\n|\nhàng quý sau\n|\nBáo cáo\n\n\
Nơi nhận:\n- Như trên;\n";
    let p = parse_plan(text.as_bytes(), "web.txt").unwrap();
    let app: Vec<&Task> = p.tasks.iter().filter(|t| t.source == "appendix").collect();
    assert_eq!(app.len(), 4, "{:#?}", p.tasks);
    assert_eq!(app[0].code, "PL.I.1", "{:#?}", app);
    assert_eq!(app[0].lead, vec!["Phòng Nội vụ"]);
    assert_eq!(app[0].coordinating_agencies, vec!["Các cơ quan, đơn vị"]);
    assert_eq!(app[0].due_date.map(|d| d.to_string()), Some("2025-01-30".into()));
    assert_eq!(app[0].product.as_deref(), Some("Kế hoạch"));
    assert_eq!(app[0].group.as_deref(), Some("CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH"));
    assert_eq!(app[1].text, "Kiểm tra công tác cải cách hành chính tại các xã");
    assert_eq!(app[1].due_date.map(|d| d.to_string()), Some("2025-12-31".into()), "Quý IV/2025");
    assert_eq!(app[2].code, "PL.II.1");
    assert_eq!(app[2].recurrence.as_deref(), Some("thuong_xuyen"));
    assert_eq!(app[2].due_date, None);
    assert_eq!(app[3].due_date, None);
    assert!(app[3].notes.is_empty(), "'hàng quý' is a recurrence: {:?}", app[3].notes);
}

#[test]
fn time_column_forms_and_notes_for_what_is_no_date() {
    let text = "KẾ HOẠCH\nNăm 2025\nI. NHIỆM VỤ\n1. Xem phụ lục.\n\n| STT | Nhiệm vụ | Chủ trì | Thời gian | Sản phẩm |\n|---|---|---|---|---|\n\
| 1 | Việc một | Phòng Nội vụ | Hằng năm | Báo cáo |\n| 2 | Việc hai | Phòng Nội vụ | 2025 | Báo cáo |\n\
| 3 | Việc ba | Phòng Nội vụ | Tháng 6/2025 | Báo cáo |\n| 4 | Việc bốn | Phòng Nội vụ | khi có yêu cầu | Báo cáo |\n| 5 | Việc năm | | Trước ngày 30/11/2025 | |\n";
    let p = parse_plan(text.as_bytes(), "t.md").unwrap();
    let app: Vec<&Task> = p.tasks.iter().filter(|t| t.source == "appendix").collect();
    assert_eq!(app.len(), 5);
    assert_eq!(app[0].recurrence.as_deref(), Some("yearly"));
    assert_eq!(app[0].due_date, None);
    assert_eq!(app[1].due_date.map(|d| d.to_string()), Some("2025-12-31".into()));
    assert_eq!(app[2].due_date.map(|d| d.to_string()), Some("2025-06-30".into()));
    assert_eq!(app[3].due_date, None);
    assert_eq!(app[3].due_text.as_deref(), Some("khi có yêu cầu"), "kept as written");
    assert_eq!(chiso_docs::parse_plan("KẾ HOẠCH\nNăm 2025\nI. NHIỆM VỤ\n1. Xem.\n\nTT | Nhiệm vụ | Chủ trì | Phối hợp | Thời gian\n\n1 | Việc | Bộ Y tế | Các bộ, ngành và UBND TP Hà Nội | 2024-2026\n".as_bytes(), "w.txt").unwrap().tasks.iter().find(|t| t.source == "appendix").map(|t| (t.due_date.map(|d| d.to_string()), t.coordinating_agencies.clone())), Some((Some("2026-12-31".to_string()), vec!["Các bộ, ngành".to_string(), "UBND TP Hà Nội".to_string()])), "a web page's 'a | b | c' rows with blank lines between; a range of years; 'và' between bodies");
    assert_eq!(app[3].notes.len(), 1, "a time that is no date is noted");
    assert!(app[4].lead.is_empty() && app[4].notes.iter().any(|n| n.contains("chủ trì")), "a missing lead is noted");
    assert_eq!(app[4].due_date.map(|d| d.to_string()), Some("2025-11-30".into()));
}

#[test]
fn task_json_has_the_new_and_the_older_names() {
    let p = seed("003");
    let v = serde_json::to_value(&p).unwrap();
    let t = v["tasks"].as_array().unwrap().iter().find(|t| t["source"] == "implementation" && !t["due"].is_null()).unwrap();
    for f in [
        "lead",
        "coordinators",
        "due",
        "due_text",
        "recurrence",
        "result",
        "group",
        "source",
        "evidence",
        "confidence",
        "lead_agency",
        "due_date",
    ] {
        assert!(t.get(f).is_some(), "{f} in {t}");
    }
    assert!(t["lead"].is_array());
    assert_eq!(t["due"], t["due_date"]);
    assert!(v["assignments"][0]["duties"].is_array(), "assignments[].duties stay");
    assert_eq!(v["number"], "426/KH-UBND");
    let back: chiso_docs::ParsedPlan = serde_json::from_value(v).unwrap();
    assert_eq!(back, p, "the JSON reads back");
}

#[test]
fn random_flattened_tables_and_duties_never_panic() {
    let pieces = [
        "|",
        "",
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm",
        "I",
        "II",
        "1",
        "2",
        "Phòng Nội vụ",
        "UBND các xã, thị trấn",
        "Quý IV/2025",
        "Thường xuyên",
        "2025",
        "tháng 13/2025",
        "III. TỔ CHỨC THỰC HIỆN",
        "1. Phòng Tư pháp: chủ trì, phối hợp với",
        "phối hợp với",
        "Giao Phòng chủ trì",
        "- Định kỳ hằng quý",
        "chậm nhất là ngày 31/02/2022",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..400 {
        let mut text = String::from("KẾ HOẠCH\nThử\nI. NHIỆM VỤ\n1. Việc.\n");
        for _ in 0..(state % 60) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            text.push('\n');
        }
        let _ = parse_plan(text.as_bytes(), "r.txt");
    }
}

#[test]
fn no_wrong_lead_on_the_seeds_and_every_duty_found() {
    for (exp, plan) in crate::expected::seed_leads() {
        let s = crate::expected::lead_score(&exp, &plan);
        assert_eq!(s.wrong, 0, "{}: {:?}", exp.file, s.misses);
        assert!(s.duties_found >= s.duties_expected, "{}: {} of {} duties", exp.file, s.duties_found, s.duties_expected);
    }
}
