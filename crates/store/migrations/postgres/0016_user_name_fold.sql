-- The list of accounts finds a person by any part of the full name, without diacritics or case
-- ("nguyen van" finds "Nguyễn Văn An"): the name folded as unit names are (chiso_core::text::fold).
-- Filled for older rows at start (Store::fold_user_names), written with every full name afterwards.
ALTER TABLE app_user ADD COLUMN full_name_fold TEXT;
