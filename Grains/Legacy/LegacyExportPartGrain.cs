using System.Security.Cryptography;
using Orleans.Serialization;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>One stored part of a legacy export (R-I1): written once, read by the durable load.</summary>
public sealed class LegacyExportPartGrain(
    [PersistentState("legacyExportPart", StorageNames.Licensing)] IPersistentState<LegacyExportPartState> state,
    Serializer serializer,
    Catalog catalog) : Grain, ILegacyExportPartGrain
{
    private readonly LicenseConsistency _consistency = new(catalog);

    public async Task StoreAsync(LegacyExportPart part)
    {
        Check(part);
        var digest = Convert.ToHexStringLower(SHA256.HashData(serializer.SerializeToArray(part)));
        if (state.State.Part is not null)
        {
            // The same part again (a retried upload) is fine; another one under the same number is not.
            if (state.State.Digest != digest)
            {
                throw new LicensingException(ErrorCodes.Conflict, $"Part {part.Part} of this export was uploaded with other contents.");
            }

            return;
        }

        (state.State.Part, state.State.Digest) = (part, digest);
        await state.WriteStateAsync();
    }

    /// <summary>
    /// What the gateway cannot check without the domain rules: every password hash is one the
    /// scheme verifies, and every device's licenses pass its device type's rules (R-L2) — so an
    /// import never fails on the export's own data.
    /// </summary>
    private void Check(LegacyExportPart part)
    {
        foreach (var account in part.Accounts)
        {
            if (LegacyPasswords.Problem(account.Password) is { } problem)
            {
                throw LicensingException.Validation($"Account '{account.Login}': the password {problem}.");
            }
        }

        foreach (var device in part.Devices)
        {
            try
            {
                _consistency.Check(device.DeviceType, [.. device.Licenses.Select(l => new LicenseLot(l.Type, l.Units, l.Version, l.BindDate, null, null, LotSources.Import))]);
            }
            catch (LicensingException e)
            {
                throw new LicensingException(e.Code, $"Device {device.Mac}: {e.Message}");
            }
        }
    }

    public Task<LegacyExportPart?> GetAsync() => Task.FromResult(state.State.Part);
}
