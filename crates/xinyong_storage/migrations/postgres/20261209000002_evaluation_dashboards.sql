-- Indexes for the evaluation dashboards (xinyong_storage::evaluation). Only
-- indexes change: no table, column or row does.

-- grade_movements: the grades given under a model within a range of days;
-- the grade before each is then found by the primary key.
CREATE INDEX grade_history_model_day ON grade_history (model, evaluated_on);

-- grades_by_sector: the licences (item XK) of each graded subject and who
-- granted them, read from the index alone.
CREATE INDEX records_subject_item ON records (subject_key, item, department);
