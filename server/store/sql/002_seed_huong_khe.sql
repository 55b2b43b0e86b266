-- 002: seed data for Hương Khê district (Hà Tĩnh, district code 444), 2021.
-- Units and procedures are data: later changes (the 2020 Phương Mỹ +
-- Phương Điền -> Điền Mỹ merger is already reflected; Phú Phong merged away
-- early 2025; the district level was abolished on 2025-07-01) are applied
-- per deployment by setting valid_to / inserting new rows, not by code.

-- (verify) placeholder identifiers, edit per deployment:
-- the agency electronic identifiers H30.44.00 (district) and H30.44.01..21
-- (communes, in the statistics-office order below) are placeholders, not the
-- official codes; dossier codes are built from them.
INSERT INTO units (code, name, agency_id, parent, role, valid_from) VALUES
  ('444',   'Trung tâm Hành chính công huyện Hương Khê', 'H30.44.00', NULL, 'district', '2021-01-01');

INSERT INTO units (code, name, agency_id, parent, role, valid_from) VALUES
  ('18496', 'Thị trấn Hương Khê', 'H30.44.01', '444', 'commune', '2021-01-01'),
  ('18499', 'Xã Điền Mỹ',         'H30.44.02', '444', 'commune', '2021-01-01'),
  ('18502', 'Xã Hà Linh',         'H30.44.03', '444', 'commune', '2021-01-01'),
  ('18505', 'Xã Hương Thủy',      'H30.44.04', '444', 'commune', '2021-01-01'),
  ('18508', 'Xã Hòa Hải',         'H30.44.05', '444', 'commune', '2021-01-01'),
  ('18514', 'Xã Phúc Đồng',       'H30.44.06', '444', 'commune', '2021-01-01'),
  ('18517', 'Xã Hương Giang',     'H30.44.07', '444', 'commune', '2021-01-01'),
  ('18520', 'Xã Lộc Yên',         'H30.44.08', '444', 'commune', '2021-01-01'),
  ('18523', 'Xã Hương Bình',      'H30.44.09', '444', 'commune', '2021-01-01'),
  ('18526', 'Xã Hương Long',      'H30.44.10', '444', 'commune', '2021-01-01'),
  ('18529', 'Xã Phú Gia',         'H30.44.11', '444', 'commune', '2021-01-01'),
  ('18532', 'Xã Gia Phố',         'H30.44.12', '444', 'commune', '2021-01-01'),
  ('18535', 'Xã Phú Phong',       'H30.44.13', '444', 'commune', '2021-01-01'),
  ('18538', 'Xã Hương Đô',        'H30.44.14', '444', 'commune', '2021-01-01'),
  ('18541', 'Xã Hương Vĩnh',      'H30.44.15', '444', 'commune', '2021-01-01'),
  ('18544', 'Xã Hương Xuân',      'H30.44.16', '444', 'commune', '2021-01-01'),
  ('18547', 'Xã Phúc Trạch',      'H30.44.17', '444', 'commune', '2021-01-01'),
  ('18550', 'Xã Hương Trà',       'H30.44.18', '444', 'commune', '2021-01-01'),
  ('18553', 'Xã Hương Trạch',     'H30.44.19', '444', 'commune', '2021-01-01'),
  ('18556', 'Xã Hương Lâm',       'H30.44.20', '444', 'commune', '2021-01-01'),
  ('18559', 'Xã Hương Liên',      'H30.44.21', '444', 'commune', '2021-01-01');

-- Procedure catalogue. Codes follow the national public-service portal's
-- numbering; a code marked (verify) is recalled from memory and must be
-- checked against the portal before production use (the code is data).
-- Time limits follow the governing decrees as commonly applied (verify
-- against the province's published list, which may shorten them).
-- limit_unit: 1 hours, 2 working days, 3 calendar days, 4 months.
INSERT INTO procedures (code, name, sector, level, limit_value, limit_unit) VALUES
  -- Commune level (level 1): resolved by the commune desk itself.
  ('1.001193', 'Thủ tục đăng ký khai sinh', 'Hộ tịch', 1, 1, 2),
  ('1.000894', 'Thủ tục đăng ký kết hôn', 'Hộ tịch', 1, 1, 2),
  ('1.000656', 'Thủ tục đăng ký khai tử', 'Hộ tịch', 1, 1, 2),
  ('1.001022', 'Thủ tục đăng ký nhận cha, mẹ, con', 'Hộ tịch', 1, 3, 2),
  ('1.004873', 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân', 'Hộ tịch', 1, 3, 2),
  -- (verify) code
  ('2.000635', 'Thủ tục cấp bản sao Trích lục hộ tịch', 'Hộ tịch', 1, 1, 2),
  -- (verify) code; same-day service, counted in hours
  ('2.000815', 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận', 'Chứng thực', 1, 8, 1),
  -- (verify) code
  ('2.000884', 'Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng thực điểm chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể điểm chỉ được)', 'Chứng thực', 1, 8, 1),
  -- District level (level 2): received at the commune, forwarded to the centre.
  ('2.000720', 'Đăng ký thành lập hộ kinh doanh', 'Thành lập và hoạt động của hộ kinh doanh', 2, 3, 2),
  -- (verify) code
  ('2.000575', 'Đăng ký thay đổi nội dung đăng ký hộ kinh doanh', 'Thành lập và hoạt động của hộ kinh doanh', 2, 3, 2),
  -- (verify) code
  ('1.009994', 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ', 'Hoạt động xây dựng', 2, 15, 2),
  -- (verify) code
  ('1.004227', 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', 'Đất đai', 2, 10, 2),
  -- (verify) code
  ('1.004222', 'Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu', 'Đất đai', 2, 30, 2),
  -- (verify) code and limit
  ('1.001776', 'Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hàng tháng', 'Bảo trợ xã hội', 2, 20, 2),
  -- (verify) code and limit
  ('1.010821', 'Giải quyết chế độ mai táng phí, trợ cấp một lần khi người có công với cách mạng từ trần', 'Người có công', 2, 12, 2);
