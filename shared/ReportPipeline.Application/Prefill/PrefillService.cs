using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Prefill;

/// <summary>
/// One department's file of values to push down (带数下发): a header row naming the 行政区划代码 column and one column
/// per field (id, name or alias), then one row per village.
/// </summary>
/// <param name="Department">The department's catalog code (<c>mz</c>).</param>
/// <param name="ScopeOrg">Rows may only name villages in this org's subtree (the caller's org); null for a blob drop, which the storage account's access already limits.</param>
/// <param name="DryRun">Validate and plan only: what would change, nothing written.</param>
public sealed record PrefillInput(
    string Department,
    Period Period,
    UploadFormat Format,
    ReadOnlyMemory<byte> Content,
    string Channel,
    string? ScopeOrg,
    bool DryRun)
{
    public string? Subject { get; init; }
}

/// <summary>A pushed value that differs from what the village itself typed: the typed value is kept and the village is shown both.</summary>
public sealed record PrefillConflict(string Org, string OrgName, string Field, string FieldName, string Typed, string Pushed);

/// <summary>What a push did (or, for a dry run, would do).</summary>
/// <param name="Orgs">Villages named in the file.</param>
/// <param name="OrgsChanged">Villages whose stored values change.</param>
/// <param name="Written">Values written (new or changed pushed values).</param>
/// <param name="Unchanged">Values already stored as pushed, or held back because the village typed its own.</param>
/// <param name="Conflicts">Pushed values that differ from a value the village typed (kept, flagged to the village).</param>
/// <param name="Locked">Villages whose values are locked by an approval: nothing was pushed to them.</param>
/// <param name="DistrictsQueued">Districts whose workbooks were queued for a rebuild (one unit each, not one per village).</param>
public sealed record PrefillReceipt(
    string PushId,
    string Department,
    string DepartmentName,
    string Period,
    bool DryRun,
    int Rows,
    int Orgs,
    IReadOnlyList<string> Fields,
    int OrgsChanged,
    int Written,
    int Unchanged,
    int Conflicts,
    IReadOnlyList<PrefillConflict> ConflictList,
    IReadOnlyList<string> Locked,
    int DistrictsQueued,
    string Message)
{
    /// <summary>Conflicts listed in a receipt at most; <see cref="Conflicts"/> counts them all.</summary>
    public const int MaxListedConflicts = 200;

    /// <summary>The villages the file named, for the access record.</summary>
    public IReadOnlyList<string> OrgCodes { get; init; } = [];
}

/// <summary>Either a receipt, or every error found (nothing written), or the department is unknown.</summary>
public sealed record PrefillOutcome(PrefillReceipt? Receipt, IReadOnlyList<ValidationError> Errors)
{
    public bool UnknownDepartment { get; init; }
}

/// <summary>
/// 带数下发: a department pushes the values it holds down to many villages at once, from one CSV (UTF-8 or GB18030) or
/// .xlsx, through HTTP or a blob drop. The whole file is checked first — every row's org (a village, inside the scope,
/// once), every column (a field the department owns, once), every cell by the one table's own rules for a value
/// (<see cref="SubmissionValidator.ValidateEach"/>) — and refused whole with every error by row, column and cell when
/// anything is wrong. Then it is read a second time and merged village by village with origin pre-filled through the
/// same merge as every submission (<see cref="MergePlanner"/>): a value the village typed is never overwritten (the
/// difference is flagged to it), and a village whose merge would change nothing is not written at all, so an identical
/// re-push writes nothing and a changed one writes only the changes. Rows are read one at a time and merged a window at a
/// time, so memory is the file plus a window, whatever the file's length.
/// </summary>
public sealed class PrefillService(
    ReferenceData reference,
    IFieldValueStore values,
    ISubmissionArchive archive,
    ISheetTableReader sheets,
    TimeProvider time,
    ILogger<PrefillService> logger,
    ConsolidationPlanner? consolidation = null)
{
    /// <summary>Headers that name the org column.</summary>
    public static readonly IReadOnlyList<string> OrgHeaders = ["行政区划代码", "区划代码", "统计用区划代码", "单位代码", "org", "orgcode"];

    /// <summary>Headers of columns that are read by people, not by us (the village's name beside its code).</summary>
    public static readonly IReadOnlyList<string> IgnoredHeaders = ["单位名称", "村（社区）", "村(社区)", "名称", "村名", "name"];

    /// <summary>Errors listed at most; a file with more is refused with the first ones and the count.</summary>
    public const int MaxListedErrors = 500;

    /// <summary>Villages read and planned together: one query per district partition in the window.</summary>
    private const int Window = 256;

    /// <summary>Village merges in flight at once.</summary>
    private const int MergeParallelism = 8;

    public async Task<PrefillOutcome> PushAsync(PrefillInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bundle = await reference.CatalogForAsync(null, cancellationToken);
        var department = bundle.Catalog.Departments.Find(input.Department);
        if (department is null)
        {
            return new PrefillOutcome(null, [new ValidationError(null, "unknown_department", $"部门名录中没有编号为“{UserText.Excerpt(input.Department)}”的部门。")]) { UnknownDepartment = true };
        }

        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var table = PrefillTable.Open(input, sheets, bundle.Catalog, department, out var structural);
        if (structural.Count > 0)
        {
            return new PrefillOutcome(null, structural);
        }

        // Pass 1: every row, nothing kept but the errors and the villages already seen.
        var errors = new List<ValidationError>();
        var errorCount = 0;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var validator = new SubmissionValidator(bundle.Catalog);
        var rows = 0;
        foreach (var row in table!.Rows())
        {
            rows++;
            foreach (var error in CheckRow(row, input, orgs, seen, validator))
            {
                errorCount++;
                if (errors.Count < MaxListedErrors)
                {
                    errors.Add(error);
                }
            }
        }

        if (rows == 0)
        {
            errors.Add(new ValidationError(null, "no_rows", "文件只有表头，没有任何单位的数据。", "第2行"));
        }

        if (errors.Count > 0)
        {
            if (errorCount > errors.Count)
            {
                errors.Add(new ValidationError(null, "too_many_errors", $"共有 {errorCount} 处错误，以上只列出前 {MaxListedErrors} 处。"));
            }

            logger.LogWarning("Refused {Channel} pre-fill of {Department} for {Period}: {ErrorCount} errors in {Rows} rows (first: {FirstCode})",
                input.Channel, input.Department, input.Period.ToString(), errorCount, rows, errors[0].Code);
            return new PrefillOutcome(null, errors);
        }

        if (!input.DryRun)
        {
            await archive.ArchiveAsync(input.Content, UploadFormats.ContentType(input.Format), cancellationToken);
        }

        // Pass 2: merge a window of villages at a time.
        var pushId = NewPushId(input.Department);
        var receivedAt = time.GetUtcNow();
        var tally = new Tally();
        var window = new List<(string Org, Dictionary<string, FieldValue> Values)>(Window);
        foreach (var row in table.Rows())
        {
            window.Add((row.OrgCode!, validator.ValidateEach(row.Values, input.Period.Kind).Values.ToDictionary(StringComparer.Ordinal)));
            if (window.Count == Window)
            {
                await MergeWindowAsync(window, input, pushId, receivedAt, orgs, tally, cancellationToken);
                window.Clear();
            }
        }

        await MergeWindowAsync(window, input, pushId, receivedAt, orgs, tally, cancellationToken);

        var queued = 0;
        if (!input.DryRun && consolidation is not null && !tally.ChangedByDistrict.IsEmpty)
        {
            var fields = table.FieldIds;
            foreach (var (_, village) in tally.ChangedByDistrict.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                // One call per district: the district's (and its city's) workbooks are rebuilt once for the whole push.
                await consolidation.EnqueueForChangeAsync(village, input.Period, fields, firstReport: false, cancellationToken);
                queued++;
            }
        }

        var receipt = new PrefillReceipt(
            pushId,
            department.Code,
            department.Name,
            input.Period.ToString(),
            input.DryRun,
            rows,
            seen.Count,
            table.FieldIds,
            tally.OrgsChanged,
            tally.Written,
            tally.Unchanged,
            tally.ConflictCount,
            [.. tally.Conflicts.OrderBy(c => c.Org, StringComparer.Ordinal).ThenBy(c => c.Field, StringComparer.Ordinal).Take(PrefillReceipt.MaxListedConflicts)
                .Select(c => c with { FieldName = bundle.Catalog.Find(c.Field)?.Name ?? c.Field })],
            [.. tally.Locked.Order(StringComparer.Ordinal)],
            queued,
            Message(department, input, seen.Count, tally))
        {
            OrgCodes = [.. seen.Keys],
        };
        logger.LogInformation(
            "{Mode} {Channel} pre-fill {PushId} of {Department} for {Period}: {Orgs} villages, {Written} values written, {Unchanged} unchanged, {Conflicts} conflicts, {Locked} locked, {Districts} districts queued",
            input.DryRun ? "Planned" : "Merged", input.Channel, pushId, input.Department, input.Period.ToString(), seen.Count, tally.Written, tally.Unchanged,
            tally.ConflictCount, tally.Locked.Count, queued);
        return new PrefillOutcome(receipt, []);
    }

    private static IEnumerable<ValidationError> CheckRow(
        PrefillRow row, PrefillInput input, OrgRegistry orgs, Dictionary<string, int> seen, SubmissionValidator validator)
    {
        var code = row.OrgCode;
        if (string.IsNullOrEmpty(code))
        {
            yield return new ValidationError(null, "missing_org", $"第{row.Line}行没有填写行政区划代码。", row.OrgCell);
            yield break;
        }

        if (!OrgRegistry.IsValidCode(code))
        {
            yield return new ValidationError(null, "bad_org", $"第{row.Line}行的行政区划代码“{UserText.Excerpt(code)}”不是12位数字。", row.OrgCell);
            yield break;
        }

        if (!orgs.TryGet(code, out var org) || org.Level != OrgLevel.Village)
        {
            yield return new ValidationError(null, "unknown_org", $"第{row.Line}行的行政区划代码 {code} 不是单位名录中的村（社区）。", row.OrgCell);
            yield break;
        }

        if (input.ScopeOrg is { } scope && !orgs.IsInSubtree(scope, code))
        {
            yield return new ValidationError(null, "outside_scope", $"第{row.Line}行的{org.Name}（{code}）不在本单位 {scope} 的管辖范围内，不能向其下发数据。", row.OrgCell);
            yield break;
        }

        if (!seen.TryAdd(code, row.Line))
        {
            yield return new ValidationError(null, "duplicate_org", $"第{row.Line}行的{org.Name}（{code}）在第{seen[code]}行已出现，每个村（社区）只能有一行。", row.OrgCell);
            yield break;
        }

        foreach (var error in validator.ValidateEach(row.Values, input.Period.Kind).Errors)
        {
            yield return error with { Message = $"第{row.Line}行 {org.Name}：{error.Message}" };
        }
    }

    private async Task MergeWindowAsync(
        List<(string Org, Dictionary<string, FieldValue> Values)> window,
        PrefillInput input,
        string pushId,
        DateTimeOffset receivedAt,
        OrgRegistry orgs,
        Tally tally,
        CancellationToken cancellationToken)
    {
        if (window.Count == 0)
        {
            return;
        }

        var fields = window.SelectMany(w => w.Values.Keys).Distinct(StringComparer.Ordinal).ToList();
        var current = new Dictionary<string, IReadOnlyDictionary<string, StoredValue>>(StringComparer.Ordinal);
        await foreach (var stored in values.ReadManyAsync(input.Period, [.. window.Select(w => w.Org)], fields, cancellationToken))
        {
            current[stored.OrgCode] = stored.Values;
        }

        MergeRequest RequestFor((string Org, Dictionary<string, FieldValue> Values) item) => new(
            item.Org, input.Period, pushId, ValueOrigin.Prefilled, item.Values, ContentHash.Compute(item.Values), null,
            input.Channel, receivedAt)
        {
            Subject = input.Subject,
            SubjectOrg = input.ScopeOrg,
        };

        // Villages with nothing stored yet (the usual first push of a period) are written in bulk: the same entities a
        // merge into an empty org writes, packed per district into entity group transactions of inserts only, so a
        // village that got data meanwhile fails its batch (409) and is merged one by one instead (IBulkValueWriter).
        var fresh = input.DryRun || values is not IBulkValueWriter
            ? []
            : window.Where(w => w.Values.Count > 0 && !current.ContainsKey(w.Org)).ToList();
        if (fresh.Count > 0)
        {
            var requests = fresh.Select(RequestFor).ToList();
            await ((IBulkValueWriter)values).WriteNewAsync(requests, MergeParallelism / 2, progress: null, cancellationToken);
            foreach (var (item, request) in fresh.Zip(requests))
            {
                var plan = MergePlanner.Plan(new Dictionary<string, StoredValue>(), request);
                tally.Add(orgs, item.Org, plan.Changed, plan.Unchanged, plan.PrefillConflicts, new Dictionary<string, StoredValue>(), item.Values);
            }
        }

        var bulk = fresh.Select(f => f.Org).ToHashSet(StringComparer.Ordinal);
        await Parallel.ForEachAsync(window.Where(w => !bulk.Contains(w.Org)), new ParallelOptions { MaxDegreeOfParallelism = MergeParallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            if (item.Values.Count == 0)
            {
                return;
            }

            var request = RequestFor(item);
            var stored = current.GetValueOrDefault(item.Org) ?? new Dictionary<string, StoredValue>();
            var plan = MergePlanner.Plan(stored, request);
            if (input.DryRun || plan.WritesNothing)
            {
                // Nothing to write (or not asked to): the plan is the answer, and a village that would not change is not touched.
                tally.Add(orgs, item.Org, plan.Changed, plan.Unchanged, plan.PrefillConflicts, stored, item.Values);
                return;
            }

            try
            {
                var receipt = await values.MergeAsync(request, ct);
                tally.Add(orgs, item.Org, receipt.Changed, receipt.Unchanged, receipt.PrefillConflicts, stored, item.Values);
            }
            catch (OrgLockedException)
            {
                // An approved village's values are locked for every channel; the department sees which in the receipt.
                tally.Locked.Add(item.Org);
            }
        });
    }

    private static string Message(Department department, PrefillInput input, int orgs, Tally tally)
    {
        var head = input.DryRun ? $"预览：{department.Name} {input.Period.ToDisplayString()} 下发 {orgs} 个村（社区）" : $"{department.Name} {input.Period.ToDisplayString()} 已下发 {orgs} 个村（社区）";
        var text = $"{head}：{(input.DryRun ? "将写入" : "写入")} {tally.Written} 项，未变 {tally.Unchanged} 项，与村（社区）填报不一致 {tally.ConflictCount} 项（保留村里填写的数，并提示核对）";
        return tally.Locked.IsEmpty ? text + "。" : text + $"；{tally.Locked.Count} 个村（社区）的数据已审核锁定，未下发。";
    }

    private string NewPushId(string department)
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return $"P{time.GetUtcNow():yyyyMMddHHmmss}{department}{Convert.ToHexStringLower(random)}";
    }

    private sealed class Tally
    {
        private int _written;
        private int _unchanged;
        private int _orgsChanged;
        private int _conflicts;

        public int Written => _written;
        public int Unchanged => _unchanged;
        public int OrgsChanged => _orgsChanged;
        public int ConflictCount => _conflicts;
        public ConcurrentBag<PrefillConflict> Conflicts { get; } = [];
        public ConcurrentBag<string> Locked { get; } = [];
        /// <summary>A changed village of each district (by the district's code).</summary>
        public ConcurrentDictionary<string, string> ChangedByDistrict { get; } = new(StringComparer.Ordinal);

        public void Add(OrgRegistry orgs, string org, int changed, int unchanged, IReadOnlyList<string> conflicts,
            IReadOnlyDictionary<string, StoredValue> stored, IReadOnlyDictionary<string, FieldValue> pushed)
        {
            Interlocked.Add(ref _written, changed);
            Interlocked.Add(ref _unchanged, unchanged);
            Interlocked.Add(ref _conflicts, conflicts.Count);
            if (changed > 0)
            {
                Interlocked.Increment(ref _orgsChanged);
                if (orgs.Ancestors(org).FirstOrDefault(a => a.Level == OrgLevel.District) is { } district)
                {
                    ChangedByDistrict.TryAdd(district.Code, org);
                }
            }

            if (conflicts.Count > 0 && Conflicts.Count < PrefillReceipt.MaxListedConflicts)
            {
                var name = orgs.TryGet(org, out var found) ? found.Name : org;
                foreach (var field in conflicts)
                {
                    Conflicts.Add(new PrefillConflict(org, name, field, field, stored.GetValueOrDefault(field)?.Value.Canonical ?? "", pushed[field].Canonical));
                }
            }
        }
    }
}
