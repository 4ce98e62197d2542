namespace ReportPipeline.Domain.Ports;

/// <summary>
/// One read of village-level data, as kept on record: who (token subject, org and department), what (the route, the org
/// the request named, the period, the template or fields), when, and how many villages' data it returned.
/// </summary>
public sealed record AccessRecord(
    DateTimeOffset At,
    string Subject,
    string CallerOrg,
    string? Dept,
    string Route,
    string Org,
    string? Period,
    string? What,
    int Villages);

/// <summary>A page of records, newest first; <see cref="ContinuationToken"/> asks for the next.</summary>
public sealed record AccessLogPage(IReadOnlyList<AccessRecord> Records, string? ContinuationToken);

/// <summary>
/// The append-only record of reads (数据访问记录): a table partitioned by month, newest first inside each month. Nothing
/// updates or deletes a record; retention drops whole months.
/// </summary>
public interface IAccessLog
{
    Task AppendAsync(IReadOnlyList<AccessRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) whose org passes
    /// <paramref name="include"/>, newest first, at most <paramref name="pageSize"/>, after <paramref name="continuationToken"/>.
    /// </summary>
    /// <exception cref="FormatException">The continuation token is not one this log gave out.</exception>
    Task<AccessLogPage> ReadAsync(DateTimeOffset from, DateTimeOffset to, Func<string, bool> include, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);
}

/// <summary>Files of department pre-fill dropped into the <c>prefill</c> container as <c>{period}/{dept}/{name}.csv|xlsx</c>.</summary>
public interface IPrefillInbox : ISubmissionInbox;
