using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Processes;

/// <summary>Pacing and patience of durable processes.</summary>
public sealed class DurableProcessOptions
{
    /// <summary>Pause between two batches while a process runs (its timer's period), so other work on the same holders gets its turn.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often the reminder wakes a running process whose activation was lost (its silo died);
    /// at least the reminder service's minimum period (one minute unless configured lower).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Transient failures of one batch in a row after which the process gives up as failed.</summary>
    public int MaxFailedAttempts { get; set; } = 100;
}

/// <summary>What one batch did: the items it moved and whether it was the last.</summary>
public readonly record struct BatchOutcome(long Items, bool IsLast);

/// <summary>
/// The pattern for long operations that cannot be one transaction (company join, project join,
/// legacy import): the work is cut into numbered batches, each committed as ONE ledger
/// transaction, with a cursor (the next batch) and progress in persistent state.
/// <list type="bullet">
/// <item>A timer runs one batch per tick while the process is active; between batches
/// <see cref="IDurableProcessGrain.GetStatusAsync"/> answers, so progress is visible.</item>
/// <item>A reminder, registered before the process is marked running, wakes the grain after its
/// activation was lost (a silo died); activating a running process starts the timer again.</item>
/// <item>Each batch carries an idempotency key of its own (process and batch number) into the
/// ledger, where it is recorded in the batch's transaction. The cursor is saved after the commit,
/// so a crash in between re-runs the batch, and the ledger answers the re-run with the recorded
/// result instead of applying it twice.</item>
/// <item>A domain refusal stops the process as failed (batches before it stay applied); any other
/// failure is retried on the next tick, up to <see cref="DurableProcessOptions.MaxFailedAttempts"/> in a row.</item>
/// </list>
/// A subclass is a grain with its own interface (deriving <see cref="IDurableProcessGrain"/>, with a
/// start method calling <see cref="BeginAsync"/>), its own persistent state name (AdoNet keys rows by
/// state name and key, not grain type) and <see cref="RunBatchAsync"/>. Batches must be
/// determined by the plan and their number alone, so a re-run is the same request.
/// </summary>
public abstract class DurableProcessGrain<TPlan>(
    IPersistentState<DurableProcessState<TPlan>> process,
    IOptions<DurableProcessOptions> options,
    TimeProvider time,
    ILogger logger) : Grain, IDurableProcessGrain, IRemindable
    where TPlan : class
{
    private const string ReminderName = "durable-process";
    private IGrainTimer? _timer;

    private DurableProcessState<TPlan> State => process.State;

    /// <summary>The plan the process was started with; null before it started.</summary>
    protected TPlan? CurrentPlan => State.Plan;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.State == ProcessState.Running)
        {
            StartTimer();
        }

        return Task.CompletedTask;
    }

    public Task<ProcessStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        // Being activated by the reminder already started the timer of a running process.
        if (State.State == ProcessState.Running)
        {
            StartTimer();
        }
        else
        {
            await StopReminderAsync();
        }
    }

    /// <summary>
    /// Runs batch <paramref name="batch"/> (0, 1, …) of the plan as one ledger transaction that
    /// carries <paramref name="idempotency"/>. Called again with the same arguments when a
    /// previous call may or may not have committed.
    /// </summary>
    protected abstract Task<BatchOutcome> RunBatchAsync(TPlan plan, long batch, IdempotencyToken idempotency);

    /// <summary>
    /// Starts the process; a start with the plan it already runs (a retried request) returns its
    /// status, a start with another plan is a Conflict.
    /// </summary>
    protected async Task<ProcessStatus> BeginAsync(TPlan plan)
    {
        if (State.Plan is { } current)
        {
            return Equals(current, plan) ? Status() : throw new LicensingException(ErrorCodes.Conflict, "This process was started with another plan.");
        }

        // The reminder first: a crash before the state write leaves a reminder that finds nothing
        // to run and removes itself, never a running process that nothing would wake.
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.ReminderPeriod, options.Value.ReminderPeriod);
        State.Plan = plan;
        State.State = ProcessState.Running;
        State.StartedAt = State.UpdatedAt = time.GetUtcNow();
        await process.WriteStateAsync();
        StartTimer();
        return Status();
    }

    private void StartTimer() =>
        _timer ??= this.RegisterGrainTimer(RunNextBatchAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = options.Value.BatchInterval,
            KeepAlive = true,
            Interleave = false,
        });

    private async Task RunNextBatchAsync(CancellationToken cancellationToken)
    {
        if (State.State != ProcessState.Running || State.Plan is not { } plan)
        {
            StopTimer();
            return;
        }

        var batch = State.NextBatch;
        BatchOutcome outcome;
        try
        {
            outcome = await RunBatchAsync(plan, batch, new IdempotencyToken($"process/{this.GetGrainId()}/{batch}", $"batch {batch}"));
        }
        catch (LicensingException e) when (e.Code != ErrorCodes.TransientConflict)
        {
            logger.LogWarning("Process {Process} stopped: batch {Batch} was refused with {Code}", this.GetGrainId(), batch, e.Code);
            await FinishAsync(ProcessState.Failed, $"Batch {batch}: {e.Code}: {e.Message}");
            return;
        }
        catch (Exception e)
        {
            State.FailedAttempts++;
            logger.LogWarning(e, "Batch {Batch} of process {Process} failed (attempt {Attempt}); it runs again", batch, this.GetGrainId(), State.FailedAttempts);
            if (State.FailedAttempts >= options.Value.MaxFailedAttempts)
            {
                await FinishAsync(ProcessState.Failed, $"Batch {batch} failed {State.FailedAttempts} times in a row: {e.Message}");
            }

            return;
        }

        State.NextBatch = batch + 1;
        State.ItemsDone += outcome.Items;
        State.FailedAttempts = 0;
        if (outcome.IsLast)
        {
            await FinishAsync(ProcessState.Completed, error: null);
            return;
        }

        await SaveAsync();
    }

    private async Task FinishAsync(ProcessState final, string? error)
    {
        State.State = final;
        State.Error = error;
        StopTimer();
        if (await SaveAsync())
        {
            await StopReminderAsync();
        }
    }

    /// <summary>
    /// Saves the cursor. If that fails, this activation steps down: the next one (woken by the
    /// reminder) starts from the last saved cursor and re-runs what followed, idempotently.
    /// </summary>
    private async Task<bool> SaveAsync()
    {
        State.UpdatedAt = time.GetUtcNow();
        try
        {
            await process.WriteStateAsync();
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not save the cursor of process {Process}; resuming from the last saved one", this.GetGrainId());
            StopTimer();
            DeactivateOnIdle();
            return false;
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private ProcessStatus Status() => new(
        this.GetPrimaryKeyString(),
        State.Plan is null ? ProcessState.NotStarted : State.State,
        State.NextBatch,
        State.ItemsDone,
        State.FailedAttempts,
        State.Error,
        State.StartedAt,
        State.UpdatedAt);
}
