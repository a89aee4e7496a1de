using Orleans.Runtime;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Keeps the conservation audit from filling memory with holders: an activation of a holder
/// grain (device, key, project) that has served nothing but the audit's read is deactivated as
/// soon as that read (and its read transaction, resolved inside the call) ended. An activation
/// that served any other call — a device polling, a move — stays, so the audit does not evict
/// the working set; it only cleans up what it brought in itself.
/// </summary>
/// <remarks>
/// The audit marks its reads with <see cref="Key"/> in the request context. The other calls are
/// noted on the activation with a marker component, looked up once per call on the three holder
/// interfaces only.
/// </remarks>
public sealed class AuditReadFilter : IIncomingGrainCallFilter
{
    /// <summary>Request-context key of the audit's holder reads.</summary>
    public const string Key = "licensing-audit-read";

    private static readonly DeactivationReason ReadOnly = new(DeactivationReasonCode.ApplicationRequested, "activated only for the conservation audit's read");

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var target = context.Request.GetInterfaceType();
        if (target != typeof(IDeviceGrain) && target != typeof(IActivationKeyGrain) && target != typeof(IProjectGrain))
        {
            await context.Invoke();
            return;
        }

        if (RequestContext.Get(Key) is not true)
        {
            if (context.TargetContext.GetComponent<ServedOthers>() is null)
            {
                context.TargetContext.SetComponent(ServedOthers.Instance);
            }

            await context.Invoke();
            return;
        }

        await context.Invoke();
        if (context.TargetContext.GetComponent<ServedOthers>() is null)
        {
            context.TargetContext.Deactivate(ReadOnly);
        }
    }

    /// <summary>Marks an activation that served a call other than the audit's read.</summary>
    private sealed class ServedOthers
    {
        public static readonly ServedOthers Instance = new();
    }
}
