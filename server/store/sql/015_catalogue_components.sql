-- 015: the procedure catalogue corrected against the published procedures
-- (issue 14, item 4; the sources are listed in docs/CATALOGUE.md), and each
-- procedure's components (thành phần hồ sơ) as catalogue data.
--
-- (a) Codes. Three codes of 002 name other procedures in the national
-- database: 2.000720 is «Đăng ký thay đổi nội dung đăng ký hộ kinh doanh»
-- (our 2.000575 row), 2.000575 is «Cấp lại Giấy chứng nhận đăng ký hộ kinh
-- doanh», and 1.004222 is «Đăng ký thường trú» (Bộ Công an). The rows are
-- the right procedures under wrong identifiers, so the identifiers are
-- corrected in place: the dossiers' reference follows by ON UPDATE
-- CASCADE, a dossier keeps its procedure (not its old code), and nothing
-- needs an "inactive" flag that every reader would have to honour.
-- Order matters: 2.000720 is freed before 2.000575 takes it.
-- (b) verified / note / source: what stays unconfirmed ("(verify)" in the
-- research notes) is marked as data and shown by `motcua procedures`.
-- (c) procedure_components, seeded for every procedure.
-- (d) fee, legal limit as published (text) and number of sets (số lượng hồ sơ).

ALTER TABLE dossiers DROP CONSTRAINT dossiers_procedure_code_fkey,
  ADD CONSTRAINT dossiers_procedure_code_fkey FOREIGN KEY (procedure_code)
    REFERENCES procedures (code) ON UPDATE CASCADE;

ALTER TABLE procedures
  ADD COLUMN verified   boolean NOT NULL DEFAULT false,
  ADD COLUMN note       text NOT NULL DEFAULT '' CHECK (octet_length(note) <= 511),
  ADD COLUMN source     text NOT NULL DEFAULT '' CHECK (octet_length(source) <= 255),
  ADD COLUMN limit_text text NOT NULL DEFAULT '' CHECK (octet_length(limit_text) <= 511),
  ADD COLUMN fee        text NOT NULL DEFAULT '' CHECK (octet_length(fee) <= 255),
  ADD COLUMN sets       smallint NOT NULL DEFAULT 1 CHECK (sets BETWEEN 1 AND 20); -- MC_LIM_SETS

UPDATE procedures SET code = '1.001612' WHERE code = '2.000720';
UPDATE procedures SET code = '2.000720' WHERE code = '2.000575';
UPDATE procedures SET code = '1.013978' WHERE code = '1.004222';

-- Limits: published values where ours differ. Same-day services
-- ("trong ngày; sau 15 giờ thì ngày làm việc tiếp theo") are one working
-- day, as 002 already counts khai sinh / kết hôn / khai tử.
UPDATE procedures SET limit_value = 1, limit_unit = 2 WHERE code IN ('2.000815', '2.000884');
UPDATE procedures SET limit_value = 27 WHERE code = '1.013978';
UPDATE procedures SET limit_value = 18 WHERE code = '1.004227';
UPDATE procedures SET limit_value = 25 WHERE code = '1.010821';

UPDATE procedures p SET verified = v.verified, source = v.source, limit_text = v.limit_text,
       fee = v.fee, note = v.note
  FROM (VALUES
  ('2.000815', true, '[A] QĐ 3152/QĐ-BTP; [B]; [C]',
   'Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo; nhiều giấy tờ, phức tạp: thêm tối đa 02 ngày làm việc',
   '2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản',
   'Thời hạn cũ 8 giờ đã sửa theo [B][C].'),
  ('2.000884', false, '[A] QĐ 858/QĐ-BTP; [D] (bản cũ)',
   'Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo',
   '10.000 đ/trường hợp',
   '(cần xác minh) Thời hạn chỉ có ở bản công bố cũ [D]; thời hạn cũ 8 giờ đã sửa.'),
  ('1.000656', true, '[A]',
   'Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo',
   'Miễn nếu đúng hạn; quá hạn: theo nghị quyết HĐND tỉnh', ''),
  ('1.000894', true, '[A]',
   'Trong ngày; cần xác minh tình trạng hôn nhân: không quá 03 ngày làm việc',
   'Miễn', ''),
  ('1.001022', true, '[A]', '03 ngày làm việc',
   'Theo nghị quyết HĐND tỉnh; miễn cho gia đình có công, hộ nghèo, người khuyết tật', ''),
  ('1.001193', true, '[A]',
   'Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo',
   'Miễn nếu đúng hạn; đăng ký quá hạn: theo nghị quyết HĐND tỉnh (cần xác minh)', ''),
  ('1.004873', true, '[A]', '03 ngày làm việc', 'Theo nghị quyết HĐND tỉnh', ''),
  ('2.000635', true, '[A]',
   'Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo', '8.000 đ', ''),
  ('1.001776', false, 'NĐ 20/2021/NĐ-CP Đ.7, Đ.8 qua [E]',
   'Cấp xã: 07 ngày làm việc; tổng thời hạn (cần xác minh)',
   'Không (cần xác minh)',
   '(cần xác minh) Mã không có trong CSDLQG; thời hạn tổng 20 ngày làm việc chưa có nguồn.'),
  ('1.009994', false, '[A] mã 1.013225 (QĐ 56/QĐ-BXD)',
   '15 ngày (trực tiếp), 20 ngày (trực tuyến, bưu chính); đơn vị ngày (cần xác minh)',
   'Theo nghị quyết HĐND tỉnh',
   '(cần xác minh) Mã không tìm thấy; [A] gộp vào 1.013225. Bản vẽ thiết kế: 02 bộ.'),
  ('1.004227', false, '[A] mã gần nhất 1.013831 (QĐ 3380/QĐ-BNNMT)',
   '18 ngày làm việc (trực tiếp, trực tuyến)',
   'Như 1.013978 (cần xác minh)',
   '(cần xác minh) Mã không tìm thấy; thời hạn lấy theo 1.013831, thời hạn cũ 10 ngày.'),
  ('1.010821', false, '[F] (thời kỳ TT 05/2013)',
   '25 ngày làm việc (xã, huyện, tỉnh)',
   'Không (cần xác minh)',
   '(cần xác minh) Mã không tìm thấy; thời hạn theo bản cũ [F], bản theo NĐ 131/2021 chưa có; thời hạn cũ 12 ngày.'),
  ('2.000720', true, '[A] QĐ 2353/QĐ-BTC', '03 ngày làm việc', 'Theo nghị quyết HĐND tỉnh',
   'Mã cũ trong danh mục 2.000575 (là thủ tục cấp lại) đã sửa.'),
  ('1.001612', true, '[A]', '03 ngày làm việc',
   'Theo nghị quyết HĐND tỉnh; trang công bố: 50.000 đ trực tiếp, 150.000 đ trực tuyến (cần xác minh)',
   'Mã cũ trong danh mục 2.000720 (là thủ tục thay đổi nội dung) đã sửa.'),
  ('1.013978', true, '[A] QĐ 3380/QĐ-BNNMT',
   '27 ngày làm việc trực tiếp; 17 trực tuyến; 20 qua bưu chính',
   'Miễn phí theo Luật Phí và lệ phí (cần xác minh)',
   'Mã cũ 1.004222 (là thủ tục đăng ký thường trú) đã sửa; thời hạn cũ 30 ngày.')
  ) AS v(code, verified, source, limit_text, fee, note)
 WHERE p.code = v.code;

CREATE TABLE procedure_components (
  procedure_code text NOT NULL REFERENCES procedures (code) ON UPDATE CASCADE ON DELETE CASCADE,
  ordinal        smallint NOT NULL CHECK (ordinal BETWEEN 1 AND 32),
  name           text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 1023),
  form           text NOT NULL CHECK (form IN ('original', 'copy', 'certified',
                                               'original_or_copy', 'present_only')),
  count          smallint NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 20),
  requirement    text NOT NULL CHECK (requirement IN ('required', 'case_by_case')),
  verified       boolean NOT NULL DEFAULT true,
  note           text NOT NULL DEFAULT '' CHECK (octet_length(note) <= 255),
  PRIMARY KEY (procedure_code, ordinal)
);

-- The papers every civil-status (hộ tịch) procedure shares (G1..G3).
CREATE TEMP TABLE mc015_g (g text, name text, form text, req text);
INSERT INTO mc015_g VALUES
  ('G1', 'Hộ chiếu, thẻ căn cước công dân, thẻ căn cước, căn cước điện tử hoặc giấy tờ khác có dán ảnh do cơ quan có thẩm quyền cấp, còn giá trị sử dụng (xuất trình)', 'present_only', 'required'),
  ('G2', 'Giấy tờ chứng minh thông tin về cư trú, nếu không tra cứu được trong cơ sở dữ liệu (xuất trình)', 'present_only', 'case_by_case'),
  ('G3', 'Văn bản ủy quyền được chứng thực, nếu nộp thay (không cần chứng thực nếu là người thân)', 'original', 'case_by_case');

INSERT INTO procedure_components (procedure_code, ordinal, name, form, count, requirement, verified, note)
VALUES
  ('2.000815', 1, 'Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao (xuất trình)', 'present_only', 1, 'required', true, 'Công bố gộp với mục 2'),
  ('2.000815', 2, 'Bản sao cần chứng thực', 'copy', 1, 'required', true, 'Công bố gộp với mục 1'),
  ('2.000884', 1, 'Căn cước điện tử, hoặc bản chính hoặc bản sao thẻ căn cước công dân, thẻ căn cước, hộ chiếu còn giá trị sử dụng (xuất trình)', 'present_only', 1, 'required', true, ''),
  ('2.000884', 2, 'Giấy tờ, văn bản yêu cầu chứng thực chữ ký (kèm bản dịch tiếng Việt nếu được yêu cầu)', 'original', 1, 'required', true, ''),
  ('1.000656', 1, 'Tờ khai đăng ký khai tử theo mẫu', 'original', 1, 'required', true, ''),
  ('1.000656', 2, 'Giấy báo tử hoặc giấy tờ thay Giấy báo tử do cơ quan có thẩm quyền cấp', 'original', 1, 'required', true, 'Không nộp nếu đã có bản điện tử'),
  ('1.000656', 3, 'Giấy tờ, tài liệu, chứng cứ chứng minh sự kiện chết, nếu không có Giấy báo tử', 'original', 1, 'case_by_case', true, ''),
  ('1.000656', 4, 'Giấy tờ chứng minh nơi cư trú cuối cùng của người chết (xuất trình)', 'present_only', 1, 'case_by_case', true, ''),
  ('1.000894', 1, 'Tờ khai đăng ký kết hôn theo mẫu, đủ thông tin của hai bên nam, nữ', 'original', 1, 'required', true, ''),
  ('1.001022', 1, 'Tờ khai đăng ký nhận cha, mẹ, con theo mẫu', 'original', 1, 'required', true, ''),
  ('1.001022', 2, 'Văn bản của cơ quan y tế, cơ quan giám định hoặc cơ quan có thẩm quyền xác nhận quan hệ cha con, mẹ con', 'original', 1, 'case_by_case', true, 'Bắt buộc mục 2 hoặc mục 3'),
  ('1.001022', 3, 'Văn bản cam đoan của các bên về quan hệ cha, mẹ, con, có ít nhất hai người làm chứng', 'original', 1, 'case_by_case', true, 'Khi không có văn bản ở mục 2'),
  ('1.001193', 1, 'Tờ khai đăng ký khai sinh theo mẫu', 'original', 1, 'required', true, ''),
  ('1.001193', 2, 'Giấy chứng sinh; nếu không có: văn bản của người làm chứng, hoặc giấy cam đoan về việc sinh', 'original', 1, 'required', true, ''),
  ('1.001193', 3, 'Biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm quyền lập', 'original', 1, 'case_by_case', true, ''),
  ('1.001193', 4, 'Văn bản xác nhận của cơ sở y tế đã thực hiện kỹ thuật hỗ trợ sinh sản (mang thai hộ)', 'original', 1, 'case_by_case', true, ''),
  ('1.004873', 1, 'Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu', 'original', 1, 'required', true, ''),
  ('1.004873', 2, 'Giấy xác nhận tình trạng hôn nhân đã được cấp trước đó (khi xin cấp lại)', 'original', 1, 'case_by_case', true, ''),
  ('2.000635', 1, 'Tờ khai đề nghị cấp bản sao trích lục hộ tịch theo mẫu, hoặc văn bản yêu cầu nêu rõ lý do (cơ quan, tổ chức)', 'original', 1, 'required', true, ''),
  ('1.001776', 1, 'Tờ khai của đối tượng theo Mẫu số 1a, 1b, 1c, 1d, 1đ', 'original', 1, 'required', false, 'Bắt buộc khi đề nghị trợ cấp; hình thức (cần xác minh)'),
  ('1.001776', 2, 'Tờ khai hộ gia đình có người khuyết tật đặc biệt nặng theo Mẫu số 2a', 'original', 1, 'case_by_case', false, 'Hình thức (cần xác minh)'),
  ('1.001776', 3, 'Tờ khai nhận chăm sóc, nuôi dưỡng đối tượng bảo trợ xã hội theo Mẫu số 2b', 'original', 1, 'case_by_case', false, 'Hình thức (cần xác minh)'),
  ('1.001776', 4, 'Tờ khai của đối tượng được nhận chăm sóc, nuôi dưỡng theo Mẫu số 03', 'original', 1, 'case_by_case', false, 'Hình thức (cần xác minh)'),
  ('1.001776', 5, 'Văn bản đề nghị điều chỉnh, thôi hưởng trợ cấp', 'original', 1, 'case_by_case', false, '(cần xác minh)'),
  ('1.001776', 6, 'Giấy tờ xuất trình tùy trường hợp: cư trú/căn cước, giấy khai sinh trẻ em, xác nhận HIV hoặc mang thai, giấy xác nhận khuyết tật', 'present_only', 1, 'case_by_case', true, ''),
  ('1.009994', 1, 'Đơn đề nghị cấp giấy phép xây dựng theo Mẫu số 1 Phụ lục II Nghị định 175/2024/NĐ-CP', 'original_or_copy', 1, 'required', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.009994', 2, 'Một trong những giấy tờ hợp pháp về đất đai theo Điều 53 Nghị định 175/2024/NĐ-CP', 'original_or_copy', 1, 'required', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.009994', 3, 'Hồ sơ thiết kế xây dựng: 02 bộ bản vẽ thiết kế', 'original_or_copy', 2, 'required', false, 'Công bố: 2 bản chính, 2 bản sao (cần xác minh)'),
  ('1.009994', 4, 'Bản cam kết bảo đảm an toàn đối với công trình liền kề', 'original', 1, 'case_by_case', false, 'Thuộc mục 3 trong công bố'),
  ('1.010821', 1, 'Bản khai của đại diện thân nhân (kèm biên bản ủy quyền) hoặc người tổ chức mai táng (Mẫu TT1)', 'original', 1, 'required', false, 'Theo bản cũ [F] (cần xác minh)'),
  ('1.010821', 2, 'Bản sao Giấy chứng tử', 'copy', 1, 'required', false, 'Theo bản cũ [F] (cần xác minh)'),
  ('2.000720', 1, 'Giấy đề nghị đăng ký thay đổi nội dung đăng ký hộ kinh doanh (chủ hộ kinh doanh ký)', 'original', 1, 'required', true, ''),
  ('2.000720', 2, 'Biên bản họp nhóm cá nhân (hộ do nhóm cá nhân thành lập trước NĐ 168/2025)', 'original', 1, 'case_by_case', true, ''),
  ('2.000720', 3, 'Bản sao văn bản ủy quyền của các thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh (công chứng, chứng thực)', 'copy', 1, 'case_by_case', true, ''),
  ('2.000720', 4, 'Bản sao văn bản ủy quyền của thành viên mới cho chủ hộ kinh doanh (công chứng, chứng thực)', 'copy', 1, 'case_by_case', true, ''),
  ('2.000720', 5, 'Bản sao giấy chứng tử hoặc quyết định của Tòa án tuyên bố đã chết, mất tích', 'copy', 1, 'case_by_case', true, ''),
  ('2.000720', 6, 'Văn bản ủy quyền cho cá nhân, hoặc bản sao hợp đồng dịch vụ và giấy giới thiệu, hoặc phiếu gửi bưu chính', 'original_or_copy', 1, 'case_by_case', true, ''),
  ('2.000720', 7, 'Bản sao thẻ căn cước hoặc căn cước công dân của người ủy quyền (không có tài khoản định danh điện tử)', 'copy', 1, 'case_by_case', true, ''),
  ('1.001612', 1, 'Giấy đề nghị đăng ký hộ kinh doanh', 'original', 1, 'required', true, ''),
  ('1.001612', 2, 'Bản sao văn bản ủy quyền của thành viên hộ gia đình cho một thành viên làm chủ hộ kinh doanh (công chứng, chứng thực)', 'copy', 1, 'case_by_case', true, ''),
  ('1.001612', 3, 'Văn bản ủy quyền cho cá nhân, hoặc bản sao hợp đồng dịch vụ và giấy giới thiệu, hoặc phiếu gửi bưu chính', 'original_or_copy', 1, 'case_by_case', true, ''),
  ('1.001612', 4, 'Bản sao thẻ căn cước hoặc căn cước công dân của người ủy quyền (không có tài khoản định danh điện tử)', 'copy', 1, 'case_by_case', true, ''),
  ('1.013978', 1, 'Đơn đăng ký đất đai, tài sản gắn liền với đất', 'original_or_copy', 1, 'required', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 2, 'Một trong các giấy tờ theo Điều 137, 148, 149 Luật Đất đai; sơ đồ nhà ở, công trình xây dựng (nếu có)', 'original_or_copy', 1, 'case_by_case', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 3, 'Mảnh trích đo bản đồ địa chính thửa đất (nếu có)', 'original_or_copy', 1, 'case_by_case', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 4, 'Chứng từ thực hiện nghĩa vụ tài chính (nếu có)', 'original_or_copy', 1, 'case_by_case', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 5, 'Văn bản xác định các thành viên có chung quyền sử dụng đất của hộ gia đình', 'original_or_copy', 1, 'case_by_case', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 6, 'Văn bản về việc đại diện', 'original_or_copy', 1, 'case_by_case', false, 'Công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.013978', 7, 'Các giấy tờ khác tùy trường hợp theo thủ tục công bố', 'original_or_copy', 1, 'case_by_case', false, 'Khoảng 10 loại giấy tờ, xem thủ tục công bố'),
  ('1.004227', 1, 'Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo Mẫu số 18', 'original_or_copy', 1, 'required', false, 'Theo 1.013831; công bố: 1 bản chính, 1 bản sao (cần xác minh)'),
  ('1.004227', 2, 'Bản gốc Giấy chứng nhận đã cấp', 'original', 1, 'required', false, 'Theo 1.013831 (cần xác minh)'),
  ('1.004227', 3, 'Hợp đồng hoặc văn bản về việc chuyển quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', 'original_or_copy', 1, 'required', false, 'Theo 1.013831 (cần xác minh)'),
  ('1.004227', 4, 'Văn bản của bên nhận thế chấp đồng ý (đất đang thế chấp)', 'original_or_copy', 1, 'case_by_case', false, 'Theo 1.013831 (cần xác minh)'),
  ('1.004227', 5, 'Văn bản thỏa thuận về việc cấp chung một Giấy chứng nhận', 'original_or_copy', 1, 'case_by_case', false, 'Theo 1.013831 (cần xác minh)'),
  ('1.004227', 6, 'Bản vẽ tách thửa, hợp thửa đất theo Mẫu số 22 Nghị định 151/2025/NĐ-CP', 'original_or_copy', 1, 'case_by_case', false, 'Theo 1.013831 (cần xác minh)'),
  ('1.004227', 7, 'Văn bản về việc đại diện', 'original_or_copy', 1, 'case_by_case', false, 'Theo 1.013831 (cần xác minh)');

-- The shared hộ tịch papers, after each procedure's own items:
-- khai tử G1, G3; kết hôn G1 (both parties), G2; nhận cha mẹ con G1, G2;
-- khai sinh, xác nhận TTHN, trích lục G1, G2, G3.
INSERT INTO procedure_components (procedure_code, ordinal, name, form, count, requirement)
SELECT x.code, (SELECT max(ordinal) FROM procedure_components c WHERE c.procedure_code = x.code)
               + row_number() OVER (PARTITION BY x.code ORDER BY g.g),
       g.name || CASE WHEN x.code = '1.000894' AND g.g = 'G1' THEN ' — của cả hai bên' ELSE '' END,
       g.form, CASE WHEN x.code = '1.000894' AND g.g = 'G1' THEN 2 ELSE 1 END, g.req
  FROM (VALUES ('1.000656', 'G1'), ('1.000656', 'G3'),
               ('1.000894', 'G1'), ('1.000894', 'G2'),
               ('1.001022', 'G1'), ('1.001022', 'G2'),
               ('1.001193', 'G1'), ('1.001193', 'G2'), ('1.001193', 'G3'),
               ('1.004873', 'G1'), ('1.004873', 'G2'), ('1.004873', 'G3'),
               ('2.000635', 'G1'), ('2.000635', 'G2'), ('2.000635', 'G3')) AS x(code, g)
  JOIN mc015_g g ON g.g = x.g;
DROP TABLE mc015_g;

GRANT SELECT ON procedure_components TO motcua_app;

-- ------------------------------------------------ intake as the receipt records it
-- The applicant's address and e-mail, the number of sets, why a required
-- component is missing (the rule: server/rules/intake.c), and which
-- components were handed in: the name and form are copied from the
-- catalogue at intake, so slip 01 reprints what was received even after
-- the catalogue changes.
ALTER TABLE dossiers
  ADD COLUMN applicant_address text NOT NULL DEFAULT '' CHECK (octet_length(applicant_address) <= 255),
  ADD COLUMN applicant_email   text NOT NULL DEFAULT '' CHECK (octet_length(applicant_email) <= 254),
  ADD COLUMN sets              smallint NOT NULL DEFAULT 1 CHECK (sets BETWEEN 1 AND 20),
  ADD COLUMN missing_reason    text NOT NULL DEFAULT '' CHECK (octet_length(missing_reason) <= 511);

CREATE TABLE dossier_components (
  dossier_id bigint NOT NULL REFERENCES dossiers (id),
  ordinal    smallint NOT NULL CHECK (ordinal BETWEEN 1 AND 32),
  name       text NOT NULL,
  form       text NOT NULL CHECK (form IN ('original', 'copy', 'certified',
                                           'original_or_copy', 'present_only')),
  count      smallint NOT NULL CHECK (count BETWEEN 1 AND 20),
  PRIMARY KEY (dossier_id, ordinal)
);
GRANT SELECT, INSERT ON dossier_components TO motcua_app;

-- 013's batch of receives (items 0..14), with items 15..19: address,
-- e-mail, sets, missing reason, components ([[ordinal, count, form|null]]
-- as JSON text), written in the receive's own savepoint. A replayed
-- receive (same key, same fingerprint) finds them written already.
CREATE OR REPLACE FUNCTION mc_receive_many(p_items jsonb)
RETURNS TABLE (o_ord int, o_state text, o_msg text, o_d dossier_v)
LANGUAGE plpgsql AS $$
DECLARE
  it record;
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'mc_receive_many wants a JSON array' USING ERRCODE = 'MC006';
  END IF;
  FOR it IN
    SELECT e.n::int AS n, e.v
      FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(v, n)
     ORDER BY e.v->>0, e.n
  LOOP
    o_ord := it.n;
    o_state := NULL;
    o_msg := NULL;
    o_d := NULL;
    BEGIN
      PERFORM set_config('motcua.idem_fp', coalesce(mc_idem_fp(it.v->>12), ''), true);
      o_d := mc_receive(it.v->>0, it.v->>1, it.v->>2, it.v->>3, it.v->>4, it.v->>5,
                        it.v->>6, it.v->>7, (it.v->>8)::smallint, it.v->>9,
                        (it.v->>10)::bigint, (it.v->>11)::bigint);
      IF it.v->>13 IS NOT NULL OR it.v->>14 IS NOT NULL THEN
        UPDATE dossiers SET applicant_id_mac = coalesce(applicant_id_mac, it.v->>13),
                            applicant_phone_mac = coalesce(applicant_phone_mac, it.v->>14)
         WHERE code = (o_d).code
           AND (applicant_id_mac IS NULL OR applicant_phone_mac IS NULL);
      END IF;
      IF jsonb_array_length(it.v) > 19 THEN
        PERFORM mc_intake_record((o_d).code, it.v->>15, it.v->>16, (it.v->>17)::smallint,
                                 it.v->>18, (it.v->>19)::jsonb);
      END IF;
    EXCEPTION WHEN OTHERS THEN
      o_state := SQLSTATE;
      o_msg := SQLERRM;
      o_d := NULL;
    END;
    RETURN NEXT;
  END LOOP;
END $$;

-- Writes the intake of a dossier just received; a replay (the components
-- are there already) changes nothing.
CREATE OR REPLACE FUNCTION mc_intake_record(p_code text, p_address text, p_email text,
                                            p_sets smallint, p_reason text, p_comps jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  SELECT id, procedure_code INTO d FROM dossiers WHERE code = p_code;
  IF EXISTS (SELECT 1 FROM dossier_components WHERE dossier_id = d.id) THEN
    RETURN;
  END IF;
  UPDATE dossiers SET applicant_address = coalesce(p_address, ''),
                      applicant_email = coalesce(p_email, ''),
                      sets = coalesce(p_sets, 1), missing_reason = coalesce(p_reason, '')
   WHERE id = d.id;
  INSERT INTO dossier_components (dossier_id, ordinal, name, form, count)
  SELECT d.id, pc.ordinal, pc.name, coalesce(c.v->>2, pc.form), (c.v->>1)::smallint
    FROM jsonb_array_elements(coalesce(p_comps, '[]'::jsonb)) AS c(v)
    JOIN procedure_components pc
      ON pc.procedure_code = d.procedure_code AND pc.ordinal = (c.v->>0)::smallint;
END $$;
GRANT EXECUTE ON FUNCTION mc_intake_record(text, text, text, smallint, text, jsonb) TO motcua_app;
