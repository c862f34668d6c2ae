//! The classifier on task sentences written for this test (not taken from the seeds), in
//! the style of plans from other provinces. The figure is printed; a floor guards it.

use chiso_docs::{Family, classify, classify_in, dimension_of};

/// (task, expected dimension)
const PAPI_CASES: &[(&str, &str)] = &[
    ("Tổ chức hội nghị phổ biến Luật Thực hiện dân chủ ở cơ sở đến cán bộ thôn, tổ dân phố", "papi.d1"),
    ("Hướng dẫn các thôn tổ chức bầu trưởng thôn đúng quy định, có nhiều ứng cử viên", "papi.d1"),
    ("Vận động nhân dân đóng góp tự nguyện xây dựng đường giao thông nông thôn, công khai mức đóng góp", "papi.d1"),
    ("Phát huy vai trò Ban giám sát đầu tư của cộng đồng đối với các công trình công cộng", "papi.d1"),
    ("Niêm yết công khai danh sách hộ nghèo, hộ cận nghèo tại nhà văn hóa thôn", "papi.d2"),
    ("Công khai dự toán, quyết toán thu chi ngân sách xã trên bảng tin của UBND xã", "papi.d2"),
    ("Công bố công khai quy hoạch, kế hoạch sử dụng đất và bảng giá đất trên cổng thông tin", "papi.d2"),
    ("Thực hiện Luật Tiếp cận thông tin, cung cấp thông tin cho công dân khi có yêu cầu", "papi.d2"),
    ("Chủ tịch UBND xã tiếp công dân định kỳ và đột xuất theo lịch đã niêm yết", "papi.d3"),
    ("Giải quyết dứt điểm đơn thư khiếu nại, tố cáo tồn đọng, kéo dài", "papi.d3"),
    ("Nâng cao hiệu quả công tác hòa giải ở cơ sở, giảm tranh chấp dân sự phải đưa ra tòa án", "papi.d3"),
    ("Công khai, minh bạch trong tuyển dụng công chức, viên chức, không để xảy ra tiêu cực", "papi.d4"),
    ("Chấn chỉnh tình trạng nhũng nhiễu, đòi chi phí không chính thức tại bệnh viện và trường học", "papi.d4"),
    ("Xử lý nghiêm cán bộ có hành vi tham nhũng, bảo vệ người tố cáo", "papi.d4"),
    ("Rút ngắn thời gian giải quyết hồ sơ cấp giấy chứng nhận quyền sử dụng đất", "papi.d5"),
    ("Niêm yết đầy đủ thủ tục chứng thực, xác nhận tại Bộ phận tiếp nhận và trả kết quả cấp xã", "papi.d5"),
    ("Cải cách thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ", "papi.d5"),
    ("Nâng cao chất lượng khám chữa bệnh tại trạm y tế xã, giảm thời gian chờ đợi", "papi.d6"),
    ("Sửa chữa phòng học, bảo đảm sĩ số học sinh tiểu học theo chuẩn", "papi.d6"),
    ("Đầu tư nâng cấp lưới điện, hệ thống cấp nước sạch cho các thôn vùng cao", "papi.d6"),
    ("Giữ gìn an ninh trật tự, phòng chống tội phạm và tệ nạn ma túy tại khu dân cư", "papi.d6"),
    ("Kiểm tra, xử lý cơ sở sản xuất gây ô nhiễm môi trường, khói bụi", "papi.d7"),
    ("Bảo vệ nguồn nước sông, hồ; xử lý nước thải sinh hoạt", "papi.d7"),
    ("Tuyên truyền người dân phân loại rác tại nguồn, bảo vệ môi trường", "papi.d7"),
    ("Hướng dẫn người dân nộp hồ sơ trực tuyến trên Cổng dịch vụ công", "papi.d8"),
    ("Phát triển hạ tầng internet băng thông rộng đến các thôn", "papi.d8"),
    ("Trả lời phản ánh, kiến nghị của người dân trên hệ thống thông tin điện tử kịp thời", "papi.d8"),
];

const PAR_CASES: &[(&str, &str)] = &[
    ("Ban hành kế hoạch cải cách hành chính năm và kiểm tra công tác CCHC tại các xã", "par.a1"),
    ("Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND huyện ban hành", "par.a2"),
    ("Triển khai cơ chế một cửa liên thông, giải quyết hồ sơ TTHC đúng hạn", "par.a3"),
    ("Sắp xếp tổ chức bộ máy các phòng chuyên môn, tinh giản biên chế", "par.a4"),
    ("Thực hiện chuyển đổi vị trí công tác, siết chặt kỷ luật, kỷ cương hành chính", "par.a5"),
    ("Giao quyền tự chủ tài chính cho đơn vị sự nghiệp công lập, giải ngân vốn đầu tư công", "par.a6"),
    ("Sử dụng chữ ký số, gửi nhận văn bản điện tử, xây dựng chính quyền số", "par.a7"),
];

#[test]
fn classifier_on_unseen_sentences() {
    let mut right = 0;
    let mut misses = Vec::new();
    for (text, want) in PAPI_CASES {
        let got = classify_in(text, &[], &[Family::Papi]);
        if got.first().map(|n| dimension_of(n)) == Some(*want) {
            right += 1;
        } else {
            misses.push(format!("{text}: want {want}, got {got:?}"));
        }
    }
    let mut par_right = 0;
    for (text, want) in PAR_CASES {
        let got = classify_in(text, &[], &[Family::ParIndex]);
        if got.first().map(|n| dimension_of(n)) == Some(*want) {
            par_right += 1;
        } else {
            misses.push(format!("{text}: want {want}, got {got:?}"));
        }
    }
    println!("unseen PAPI sentences: {right}/{}; PAR areas: {par_right}/{}", PAPI_CASES.len(), PAR_CASES.len());
    for m in &misses {
        println!("  {m}");
    }
    assert!(right * 100 >= PAPI_CASES.len() * 70, "PAPI accuracy below 70%");
    assert!(par_right * 100 >= PAR_CASES.len() * 70, "PAR accuracy below 70%");
}

#[test]
fn classify_without_context_uses_all_families_and_folds_text() {
    // Diacritics do not matter: the folded key is used.
    assert_eq!(classify("niem yet cong khai danh sach ho ngheo").first().map(String::as_str), Some("papi.d2"));
    assert!(classify("").is_empty());
    assert!(classify("Ngày mai trời nắng").is_empty());
}
