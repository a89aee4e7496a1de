using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>The rules of company joins (R-U3) and project joins (R-P4) that need no grain.</summary>
public static class JoinRules
{
    /// <summary>
    /// <paramref name="name"/> when no existing name equals it case-insensitively (R-P1), otherwise
    /// the name with the first free suffix " (2)", " (3)", … (R-U3: name clashes get a suffix).
    /// </summary>
    public static string UniqueProjectName(string name, IEnumerable<string> existing)
    {
        var taken = existing.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!taken.Contains(name))
        {
            return name;
        }

        for (var suffix = 2; ; suffix++)
        {
            var candidate = $"{name} ({suffix})";
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// A company can be locked for a join into another only when it is not joined into itself, and no
    /// join into it and no project join of its own is running (either would move things into it
    /// after the join took its snapshot).
    /// </summary>
    public static void EnsureCanBeLocked(string companyId, string targetCompanyId, int incomingJoins, int projectJoins)
    {
        if (companyId == targetCompanyId)
        {
            throw LicensingException.Validation("A company cannot be joined into itself.");
        }

        if (incomingJoins > 0 || projectJoins > 0)
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, "Another join into this company or of one of its projects is running; join it when that has ended.");
        }
    }

    /// <summary>
    /// R-P4: source and target are distinct projects of the company, the source is not the
    /// company's default project (which is never deleted, R-P3), the target is not itself being
    /// joined away, and the source is not the target of a running join.
    /// </summary>
    public static void EnsureProjectJoinAllowed(
        string sourceProjectId, string targetProjectId, string defaultProjectId, IEnumerable<string> projects, IEnumerable<(string Source, string Target)> running)
    {
        if (sourceProjectId == targetProjectId)
        {
            throw LicensingException.Validation("A project cannot be joined into itself.");
        }

        var own = projects.ToHashSet(StringComparer.Ordinal);
        if (!own.Contains(sourceProjectId) || !own.Contains(targetProjectId))
        {
            throw LicensingException.NotFound("The project");
        }

        if (sourceProjectId == defaultProjectId)
        {
            throw new LicensingException(ErrorCodes.Conflict, "The company's default project cannot be joined into another (it is never deleted); join the other project into it instead.");
        }

        foreach (var (source, target) in running)
        {
            if (source == targetProjectId || target == sourceProjectId)
            {
                throw new LicensingException(ErrorCodes.JoinInProgress, "One of the projects takes part in another running join; try again when it has ended.");
            }
        }
    }
}
