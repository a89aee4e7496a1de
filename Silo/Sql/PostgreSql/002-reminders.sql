-- OrleansLicensing: reminders for Orleans' AdoNet reminder table on PostgreSQL.
-- Written for this project from the provider's contract (seven query keys; parameters
-- @ServiceId, @GrainId, @ReminderName, @StartTime, @Period (milliseconds), @GrainHash,
-- @BeginHash, @EndHash, @Version; columns GrainId, ReminderName, StartTime, Period, Version).
-- Idempotent.

CREATE TABLE IF NOT EXISTS licensing_reminders
(
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(512) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period        bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo reads the reminders of its range of the hash ring.
CREATE INDEX IF NOT EXISTS ix_licensing_reminders_hash ON licensing_reminders (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadReminderRowsKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM licensing_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadReminderRowKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM licensing_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- The ring range (BeginHash, EndHash] when it does not wrap around (hashes compared as signed integers)...
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadRangeRows1Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM licensing_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- ...and when it does.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadRangeRows2Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
FROM licensing_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

INSERT INTO orleansquery (querykey, querytext) VALUES ('UpsertReminderRowKey', '
INSERT INTO licensing_reminders AS r (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
SET start_time = excluded.start_time,
    period = excluded.period,
    grain_hash = excluded.grain_hash,
    version = r.version + 1
RETURNING version AS Version;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- One boolean column: whether the row with that version was deleted.
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteReminderRowKey', '
WITH gone AS (
    DELETE FROM licensing_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT count(*) > 0 FROM gone;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteReminderRowsKey', '
DELETE FROM licensing_reminders WHERE service_id = @ServiceId;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
