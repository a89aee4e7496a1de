namespace OrleansLicensing.Contracts;

/// <summary>
/// The return of one device to the vendor (R-D7), keyed by canonical MAC: the company requests it,
/// the vendor marks its arrival, then reships it. At reship the licenses still on the device (all
/// but warranty extensions) go, as one ledger move, to the free pool of the requesting company's
/// project <c>Freed_RMA_licenses</c> (created on demand), and the device leaves the company.
/// </summary>
public interface IRmaGrain : IGrainWithStringKey
{
    /// <summary>
    /// Opens an RMA for the device, which must be in <paramref name="companyId"/> (NotFound). Asking
    /// again while it is open answers the open one; another company's open RMA → <see cref="ErrorCodes.InvalidRmaState"/>.
    /// </summary>
    Task<RmaView> RequestAsync(string companyId, string? reason);

    /// <summary>The vendor received the device: only a requested (or already arrived) RMA, else <see cref="ErrorCodes.InvalidRmaState"/>.</summary>
    Task<RmaView> ArrivedAsync();

    /// <summary>The vendor ships the device on: only an arrived (or already reshipped) RMA, else <see cref="ErrorCodes.InvalidRmaState"/>.</summary>
    Task<RmaView> ReshipAsync();

    /// <summary>
    /// A company join (R-U3): the RMA of <paramref name="fromCompanyId"/> becomes
    /// <paramref name="toCompanyId"/>'s, so its list, the move right after arrival and the reship's
    /// free pool follow the device. Any other RMA is left as it is; a repeat changes nothing.
    /// </summary>
    Task TransferAsync(string fromCompanyId, string toCompanyId);

    /// <summary>The current (or last) RMA of the device, or null.</summary>
    Task<RmaView?> GetAsync();
}
