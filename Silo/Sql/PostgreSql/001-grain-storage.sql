-- OrleansLicensing: the query table and grain state (including the ledger's transactional
-- state) for Orleans' AdoNet grain storage on PostgreSQL. Written for this project from the
-- provider's contract: the query keys it loads, the parameters it binds (@ServiceId,
-- @GrainTypeString, @GrainIdN0/N1, @GrainIdExtensionString, @GrainTypeHash, @GrainIdHash,
-- @GrainStateVersion, @PayloadBinary) and the columns it reads back.
-- Idempotent: every statement can run again on a schema that already has it.

-- The providers read every row as "SELECT QueryKey, QueryText FROM OrleansQuery"
-- (unquoted, so PostgreSQL looks for orleansquery / querykey / querytext).
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);

-- One row per grain state. String-keyed grains keep their key in grain_id_extension,
-- integer and Guid keys in grain_id_n0/n1 (extension ''). version is the optimistic
-- concurrency token the provider hands to the grain as its ETag.
CREATE TABLE IF NOT EXISTS licensing_grain_state
(
    service_id         varchar(150) NOT NULL,
    grain_type         varchar(512) NOT NULL,
    grain_id_n0        bigint       NOT NULL,
    grain_id_n1        bigint       NOT NULL,
    grain_id_extension text         NOT NULL,
    grain_type_hash    integer      NOT NULL,
    grain_id_hash      integer      NOT NULL,
    payload            bytea        NULL,
    version            integer      NOT NULL,
    modified_at        timestamptz  NOT NULL,
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadFromStorageKey', '
SELECT payload AS PayloadBinary, version AS Version
FROM licensing_grain_state
WHERE service_id = @ServiceId
  AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''');
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- Without a version the grain has never seen a row: insert at version 1, or nothing when a
-- row appeared meanwhile. With a version: bump it only when the caller holds the current one.
-- One row comes back on success, none on a version conflict (the provider then reports an
-- inconsistent state to the grain).
INSERT INTO orleansquery (querykey, querytext) VALUES ('WriteToStorageKey', '
WITH first_write AS (
    INSERT INTO licensing_grain_state
        (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         grain_type_hash, grain_id_hash, payload, version, modified_at)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''),
           @GrainTypeHash, @GrainIdHash, @PayloadBinary, 1, now()
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
), next_write AS (
    UPDATE licensing_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND service_id = @ServiceId
      AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT version AS NewGrainStateVersion FROM first_write
UNION ALL
SELECT version FROM next_write;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- Clearing keeps the row (and so its version sequence) with an empty payload.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ClearStorageKey', '
WITH first_write AS (
    INSERT INTO licensing_grain_state
        (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension,
         grain_type_hash, grain_id_hash, payload, version, modified_at)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(@GrainIdExtensionString, ''''),
           @GrainTypeHash, @GrainIdHash, NULL, 1, now()
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
), next_write AS (
    UPDATE licensing_grain_state
    SET payload = NULL, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND service_id = @ServiceId
      AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0
      AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT version AS NewGrainStateVersion FROM first_write
UNION ALL
SELECT version FROM next_write;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- Used only with DeleteStateOnClear; answers the deleted version + 1.
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteStorageKey', '
DELETE FROM licensing_grain_state
WHERE service_id = @ServiceId
  AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = COALESCE(@GrainIdExtensionString, '''')
  AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
