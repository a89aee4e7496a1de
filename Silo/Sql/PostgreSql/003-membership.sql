-- OrleansLicensing: cluster membership for Orleans' AdoNet clustering on PostgreSQL (silos
-- and the gateways' clustering client). Written for this project from the provider's
-- contract: nine query keys; parameters @DeploymentId (the cluster id), @Address, @Port,
-- @Generation, @SiloName, @HostName, @Status, @ProxyPort, @SuspectTimes, @StartTime,
-- @IAmAliveTime, @Version; columns DeploymentId, Address, Port, Generation, SiloName,
-- HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version.
-- Idempotent.

-- One row per cluster: the table version every membership change must name and bump, so
-- two silos deciding on the same old view cannot both write.
CREATE TABLE IF NOT EXISTS licensing_membership_version
(
    cluster_id varchar(150) NOT NULL PRIMARY KEY,
    version    integer      NOT NULL DEFAULT 0,
    changed_at timestamptz  NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS licensing_membership
(
    cluster_id    varchar(150)  NOT NULL REFERENCES licensing_membership_version (cluster_id),
    address       varchar(45)   NOT NULL,
    port          integer       NOT NULL,
    generation    integer       NOT NULL,
    silo_name     varchar(150)  NOT NULL,
    host_name     varchar(150)  NOT NULL,
    status        integer       NOT NULL,
    proxy_port    integer       NULL,
    suspect_times varchar(8000) NULL,
    start_time    timestamptz   NOT NULL,
    i_am_alive_at timestamptz   NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- Answers 1 when the cluster's version row was created now, 0 when it existed.
INSERT INTO orleansquery (querykey, querytext) VALUES ('InsertMembershipVersionKey', '
WITH created AS (
    INSERT INTO licensing_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM created;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- A new silo row, only together with a bump of the version the caller read, and only when
-- the row is new. The version row's lock orders concurrent writers: the loser re-checks the
-- version after the winner committed and changes nothing. Answers the rows inserted (1 or 0).
INSERT INTO orleansquery (querykey, querytext) VALUES ('InsertMembershipKey', '
WITH bumped AS (
    UPDATE licensing_membership_version
    SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId
      AND version = @Version
      AND NOT EXISTS (SELECT 1 FROM licensing_membership
                      WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), inserted AS (
    INSERT INTO licensing_membership
        (cluster_id, address, port, generation, silo_name, host_name, status, proxy_port, suspect_times, start_time, i_am_alive_at)
    SELECT cluster_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, NULL, @StartTime, @IAmAliveTime
    FROM bumped
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM inserted;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- A changed silo row (status, suspicions), under the same version rule. Answers 1 or 0.
INSERT INTO orleansquery (querykey, querytext) VALUES ('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE licensing_membership_version
    SET version = version + 1, changed_at = now()
    WHERE cluster_id = @DeploymentId
      AND version = @Version
      AND EXISTS (SELECT 1 FROM licensing_membership
                  WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING cluster_id
), updated AS (
    UPDATE licensing_membership AS m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_at = @IAmAliveTime
    FROM bumped
    WHERE m.cluster_id = bumped.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1
)
SELECT count(*) FROM updated;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- The heartbeat: no version change, nobody checks the result.
INSERT INTO orleansquery (querykey, querytext) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE licensing_membership
SET i_am_alive_at = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- The version row always comes back (LEFT JOIN), with the silo's row when there is one.
INSERT INTO orleansquery (querykey, querytext) VALUES ('MembershipReadRowKey', '
SELECT v.cluster_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
       m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_at AS IAmAliveTime,
       v.version AS Version
FROM licensing_membership_version AS v
LEFT JOIN licensing_membership AS m
       ON m.cluster_id = v.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.cluster_id = @DeploymentId;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

INSERT INTO orleansquery (querykey, querytext) VALUES ('MembershipReadAllKey', '
SELECT v.cluster_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
       m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_at AS IAmAliveTime,
       v.version AS Version
FROM licensing_membership_version AS v
LEFT JOIN licensing_membership AS m ON m.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteMembershipTableEntriesKey', '
DELETE FROM licensing_membership WHERE cluster_id = @DeploymentId;
DELETE FROM licensing_membership_version WHERE cluster_id = @DeploymentId;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- Where clients connect: the client ports of the silos with the given status (Active).
INSERT INTO orleansquery (querykey, querytext) VALUES ('GatewaysQueryKey', '
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
FROM licensing_membership
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;

-- Rows of silos that stopped heartbeating before @IAmAliveTime and are not active
-- (3 is SiloStatus.Active): dead incarnations that would otherwise pile up forever.
INSERT INTO orleansquery (querykey, querytext) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM licensing_membership
WHERE cluster_id = @DeploymentId AND i_am_alive_at < @IAmAliveTime AND status <> 3;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
