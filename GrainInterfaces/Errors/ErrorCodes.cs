namespace OrleansLicensing.Contracts;

/// <summary>
/// Machine-readable error codes carried in the <c>code</c> member of every problem+json
/// response (SPEC §4). Distributor integrations switch on these strings; never rename one.
/// Every constant has exactly one HTTP status in the gateway's table (<c>Problems</c>); a test
/// fails when one is added without it, or without it being listed in the OpenAPI document.
/// </summary>
public static class ErrorCodes
{
    public const string ValidationFailed = nameof(ValidationFailed);
    public const string NotFound = nameof(NotFound);
    public const string Forbidden = nameof(Forbidden);
    public const string Unauthorized = nameof(Unauthorized);
    public const string Conflict = nameof(Conflict);
    public const string RateLimited = nameof(RateLimited);
    public const string PayloadTooLarge = nameof(PayloadTooLarge);
    public const string UnsupportedMediaType = nameof(UnsupportedMediaType);
    public const string MethodNotAllowed = nameof(MethodNotAllowed);
    public const string StorageUnavailable = nameof(StorageUnavailable);
    public const string TransientConflict = nameof(TransientConflict);
    public const string InternalError = nameof(InternalError);

    // Refusals of the HTTP layer itself (Kestrel rejects these before the app runs).
    public const string RequestTimeout = nameof(RequestTimeout);
    public const string UriTooLong = nameof(UriTooLong);
    public const string HeadersTooLarge = nameof(HeadersTooLarge);

    public const string InvalidMac = nameof(InvalidMac);
    public const string InvalidEmail = nameof(InvalidEmail);

    /// <summary>Free text with a bidirectional control character (see <see cref="InputLimits.IsBidiControl"/>).</summary>
    public const string UnsafeText = nameof(UnsafeText);
    public const string TooManyDevices = nameof(TooManyDevices);
    public const string UnknownLicenseType = nameof(UnknownLicenseType);
    public const string UnknownDeviceType = nameof(UnknownDeviceType);
    public const string InvalidUnits = nameof(InvalidUnits);
    public const string InvalidDate = nameof(InvalidDate);
    public const string VersionNotOffered = nameof(VersionNotOffered);

    // Downloads and invalidation (R-V4, R-V5).
    public const string InvalidSignature = nameof(InvalidSignature);
    public const string DeviceCertificateRequired = nameof(DeviceCertificateRequired);
    public const string InvalidationReplayed = nameof(InvalidationReplayed);
    public const string LotNotReturnable = nameof(LotNotReturnable);

    public const string AccountExists = nameof(AccountExists);
    public const string UserLocked = nameof(UserLocked);
    public const string UserNotFound = nameof(UserNotFound);
    public const string LastAdmin = nameof(LastAdmin);
    public const string ActivationCodeInvalid = nameof(ActivationCodeInvalid);
    public const string AccountNotActivated = nameof(AccountNotActivated);
    public const string CurrentPasswordWrong = nameof(CurrentPasswordWrong);
    public const string MailUnavailable = nameof(MailUnavailable);
    public const string DuplicateProjectName = nameof(DuplicateProjectName);
    public const string ProjectNotEmpty = nameof(ProjectNotEmpty);

    public const string KeyAlreadyAssigned = nameof(KeyAlreadyAssigned);
    public const string HardwareAlreadyRegistered = nameof(HardwareAlreadyRegistered);
    public const string InsufficientBalance = nameof(InsufficientBalance);
    public const string ConsistencyViolation = nameof(ConsistencyViolation);
    public const string TargetHasLicenses = nameof(TargetHasLicenses);

    /// <summary>R-L7: the device would hold more than four years of warranty extension.</summary>
    public const string WarrantyLimitExceeded = nameof(WarrantyLimitExceeded);

    /// <summary>R-L6: a V7 floating license and V7 PBX licenses on the same device.</summary>
    public const string FloatingLicenseConflict = nameof(FloatingLicenseConflict);
    public const string DeviceNotInProject = nameof(DeviceNotInProject);

    public const string AlreadyInCompany = nameof(AlreadyInCompany);
    public const string DeviceInOtherCompany = nameof(DeviceInOtherCompany);
    public const string SeveralCompanies = nameof(SeveralCompanies);

    public const string SsaEndInPast = nameof(SsaEndInPast);
    public const string InsufficientSsc = nameof(InsufficientSsc);
    public const string QuoteNotConfirmable = nameof(QuoteNotConfirmable);

    /// <summary>A company join (R-U3) names an account that is not an unlocked admin of the company to join, or a wrong password.</summary>
    public const string JoinCredentialsInvalid = nameof(JoinCredentialsInvalid);

    /// <summary>The company or project is being joined into another (R-U3, R-P4) and refuses changes until the join ends.</summary>
    public const string JoinInProgress = nameof(JoinInProgress);

    /// <summary>R-P4: a project that grants external rights cannot be joined into another.</summary>
    public const string ProjectHasExternalRights = nameof(ProjectHasExternalRights);
    public const string CreditNotAllowed = nameof(CreditNotAllowed);
    public const string IdempotencyKeyReused = nameof(IdempotencyKeyReused);
    public const string SearchTooShort = nameof(SearchTooShort);

    /// <summary>R-D4: a device name that looks like a MAC or an IPEI.</summary>
    public const string InvalidDeviceName = nameof(InvalidDeviceName);

    /// <summary>R-D7: the RMA step does not follow from where the device's RMA stands (arrival before request, reship before arrival).</summary>
    public const string InvalidRmaState = nameof(InvalidRmaState);

    /// <summary>R-L8: the device's one test license was issued and its three months are over; no new one is issued.</summary>
    public const string TestLicenseUsed = nameof(TestLicenseUsed);

    /// <summary>R-I2: the legacy device, or the old group's balance, was imported already.</summary>
    public const string AlreadyImported = nameof(AlreadyImported);

    /// <summary>R-I2 (a warning of a per-device result): the legacy device holds licenses of several old users.</summary>
    public const string SeveralUsers = nameof(SeveralUsers);

    /// <summary>R-I2: the old login or password does not match the legacy export.</summary>
    public const string LegacyCredentialsInvalid = nameof(LegacyCredentialsInvalid);
}
