-- OrleansLicensing: grain state for Orleans' AdoNet grain storage on SQLite.
-- Written for this project from the provider's documented contract (query keys,
-- parameter names, result columns). Idempotent: safe to run at every start.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- One row per grain state. String-keyed grains store their key in GrainIdExtension;
-- integer/Guid keys in GrainIdN0/N1 (extension then ''). Version is the optimistic
-- concurrency token the provider hands back as the state's ETag.
CREATE TABLE IF NOT EXISTS LicensingGrainState
(
    ServiceId        TEXT    NOT NULL,
    GrainType        TEXT    NOT NULL,
    GrainIdN0        INTEGER NOT NULL,
    GrainIdN1        INTEGER NOT NULL,
    GrainIdExtension TEXT    NOT NULL,
    GrainTypeHash    INTEGER NOT NULL,
    GrainIdHash      INTEGER NOT NULL,
    Payload          BLOB    NULL,
    Version          INTEGER NOT NULL,
    ModifiedUtc      TEXT    NOT NULL,
    PRIMARY KEY (ServiceId, GrainType, GrainIdN0, GrainIdN1, GrainIdExtension)
) WITHOUT ROWID;

INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT Payload AS PayloadBinary, Version
FROM LicensingGrainState
WHERE ServiceId = @ServiceId
  AND GrainType = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = IFNULL(@GrainIdExtensionString, '''');
');

-- First write (no version yet): insert at version 1, or nothing when a row exists.
-- Later writes: bump the version only when the caller holds the current one.
-- Exactly one row comes back on success; none on a version conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO LicensingGrainState
    (ServiceId, GrainType, GrainIdN0, GrainIdN1, GrainIdExtension, GrainTypeHash, GrainIdHash, Payload, Version, ModifiedUtc)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''),
       @GrainTypeHash, @GrainIdHash, @PayloadBinary, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;

UPDATE LicensingGrainState
SET Payload = @PayloadBinary,
    Version = Version + 1,
    ModifiedUtc = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NOT NULL
  AND ServiceId = @ServiceId
  AND GrainType = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
');

-- Clearing keeps the row (and its version history) with an empty payload.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
INSERT INTO LicensingGrainState
    (ServiceId, GrainType, GrainIdN0, GrainIdN1, GrainIdExtension, GrainTypeHash, GrainIdHash, Payload, Version, ModifiedUtc)
SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, IFNULL(@GrainIdExtensionString, ''''),
       @GrainTypeHash, @GrainIdHash, NULL, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version;

UPDATE LicensingGrainState
SET Payload = NULL,
    Version = Version + 1,
    ModifiedUtc = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NOT NULL
  AND ServiceId = @ServiceId
  AND GrainType = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version;
');

-- Deleting removes the row; the provider expects the deleted version + 1 back.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM LicensingGrainState
WHERE ServiceId = @ServiceId
  AND GrainType = @GrainTypeString
  AND GrainIdN0 = @GrainIdN0
  AND GrainIdN1 = @GrainIdN1
  AND GrainIdExtension = IFNULL(@GrainIdExtensionString, '''')
  AND Version = @GrainStateVersion
RETURNING Version + 1;
');
