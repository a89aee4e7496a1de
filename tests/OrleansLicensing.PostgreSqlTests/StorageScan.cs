using System.Text;
using Npgsql;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// Issue 13: reads every row of every table of a PostgreSQL database and reports which of the
/// given secrets appear in it — in text columns, or as UTF-8 bytes inside binary ones (grain
/// state is stored as Orleans binary serialization, which writes strings as UTF-8).
/// </summary>
public static class StorageScan
{
    public static async Task<IReadOnlyList<string>> FindAsync(string connectionString, IReadOnlyDictionary<string, string> secrets)
    {
        var found = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(tables);
        var needles = secrets.ToDictionary(s => s.Key, s => (Text: s.Value, Bytes: Encoding.UTF8.GetBytes(s.Value)));
        var rows = 0;
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows++;
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    if (await reader.IsDBNullAsync(column))
                    {
                        continue;
                    }

                    var value = reader.GetValue(column);
                    foreach (var (name, needle) in needles)
                    {
                        var hit = value switch
                        {
                            byte[] bytes => bytes.AsSpan().IndexOf(needle.Bytes) >= 0,
                            string text => text.Contains(needle.Text, StringComparison.Ordinal),
                            _ => false,
                        };
                        if (hit)
                        {
                            found.Add($"{name} in {table}.{reader.GetName(column)}");
                        }
                    }
                }
            }
        }

        Assert.True(rows > 0, "the database holds no rows: the scan would prove nothing");
        return found;
    }
}
