using System.Data.Common;
using Orleans.Storage;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Silo;

/// <summary>
/// Turns a database failure under the grain storage (connection refused, server shut down,
/// network error) into <see cref="ErrorCodes.StorageUnavailable"/>, which the gateway answers
/// with 503. Without it the driver's exception travels to the gateway, which cannot deserialize
/// an <c>NpgsqlException</c> and answered 500. Version conflicts pass through unchanged: they
/// are the grain's business, not an outage.
/// </summary>
public sealed class DatabaseUnavailableGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Translate(() => inner.ClearStateAsync(stateName, grainId, grainState));

    private static async Task Translate(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            throw new LicensingException(ErrorCodes.StorageUnavailable, $"The database is unavailable ({e.GetType().Name}); retry the request.");
        }
    }
}
