-- Questionnaires built in the browser (issue 12): a question may sit under a heading (a group of questions,
-- `section`) and may be optional (`required` false: the public form accepts no answer at all). Surveys may
-- now also be 'draft' (status is free text: no constraint to change): the questionnaire can be edited only
-- then, and the public form, invitations and imports wait until the survey is opened.
ALTER TABLE survey_indicator ADD COLUMN section TEXT;
ALTER TABLE survey_indicator ADD COLUMN required BOOLEAN NOT NULL DEFAULT 1;
