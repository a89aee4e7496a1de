namespace OrleansLicensing.ClusterTests;

/// <summary>Helpers of the tests that kill silos: waiting for an outcome, and removing a test's data directory.</summary>
public static class Eventually
{
    /// <summary>Reads until <paramref name="done"/> holds; reads that fail while the cluster recovers are tried again.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value) || DateTime.UtcNow > deadline)
                {
                    return value;
                }
            }
            catch (Exception) when (DateTime.UtcNow <= deadline)
            {
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Deletes a test's data directory; one a dying silo still holds open is left to the OS.</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
