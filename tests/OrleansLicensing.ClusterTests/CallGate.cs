namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Holds one outgoing grain call at the caller until the test releases it, so a test can put
/// another operation exactly between a transaction's start and its first touch of a grain.
/// The call waits at the caller (an outgoing filter), so the target grain stays free meanwhile.
/// Installed on every silo of the test clusters; it does nothing until armed.
/// </summary>
public sealed class CallGate : IOutgoingGrainCallFilter
{
    private Hold? _hold;

    /// <summary>Holds the next call of <paramref name="method"/> on the grain keyed <paramref name="targetKey"/>.</summary>
    public Hold Arm(string method, string targetKey)
    {
        var hold = new Hold(method, targetKey, every: false);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    /// <summary>
    /// Holds every call of <paramref name="method"/> on the grain keyed <paramref name="targetKey"/>
    /// until released (a sender that repeats a message, as a transaction manager its cancel, gets
    /// none through); releasing disarms the gate.
    /// </summary>
    public Hold ArmEvery(string method, string targetKey)
    {
        var hold = new Hold(method, targetKey, every: true);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var hold = Volatile.Read(ref _hold);
        if (hold is { IsReleased: true })
        {
            Interlocked.CompareExchange(ref _hold, null, hold);
            hold = null;
        }

        if (hold is not null
            && context.InterfaceMethod?.Name == hold.Method
            && context.TargetId.Key.ToString() == hold.TargetKey
            && (hold.Every || Interlocked.CompareExchange(ref _hold, null, hold) == hold))
        {
            hold.Reach();
            await hold.WaitForReleaseAsync();
        }

        await context.Invoke();
    }

    public sealed class Hold(string method, string targetKey, bool every)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Method { get; } = method;

        public string TargetKey { get; } = targetKey;

        /// <summary>Whether every matching call is held, not only the first.</summary>
        public bool Every { get; } = every;

        /// <summary>Completes when the held call arrived at the gate.</summary>
        public Task Reached => _reached.Task;

        /// <summary>Lets the held calls go on (and a hold of every call stops holding).</summary>
        public void Release() => _released.TrySetResult();

        internal void Reach() => _reached.TrySetResult();

        internal bool IsReleased => _released.Task.IsCompleted;

        internal Task WaitForReleaseAsync() => _released.Task;
    }
}
