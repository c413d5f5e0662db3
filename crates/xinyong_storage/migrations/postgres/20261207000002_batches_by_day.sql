-- A department's batches of one day: the daily intake quota adds them up.
CREATE INDEX batches_department_day ON batches (department, received_date);
