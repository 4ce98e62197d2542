using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Ingestion;

/// <summary>One upload of one org's values for one period, from any channel.</summary>
public sealed record SubmissionInput(
    string OrgCode,
    Period Period,
    UploadFormat Format,
    ReadOnlyMemory<byte> Content,
    string Channel,
    string? IdempotencyKey = null,
    string? FileName = null,
    ValueOrigin Origin = ValueOrigin.Typed)
{
    /// <summary>The sender's token subject, kept in the audit entry; null for a blob drop.</summary>
    public string? Subject { get; init; }

    /// <summary>The sender's token org (an upper level may submit for a village); null for a blob drop.</summary>
    public string? SubjectOrg { get; init; }

    /// <summary>
    /// The version of the values the sender prepared this from (HTTP <c>If-Match</c>). Without it, a form workbook's
    /// recorded version is used; with neither, the submission is not conditioned.
    /// </summary>
    public string? ExpectedVersion { get; init; }
}

/// <summary>Either a receipt (accepted, possibly a replay of an earlier one) or every error found.</summary>
public sealed record SubmissionOutcome(MergeReceipt? Receipt, IReadOnlyList<ValidationError> Errors, IReadOnlyList<ValidationError> Warnings)
{
    public bool Accepted => Receipt is not null;

    /// <summary>The approval that locks the (period, org): the submission was refused (409) and nothing was written.</summary>
    public ApprovalRecord? LockedBy { get; init; }

    /// <summary>Refused because the (period, org) is locked (409), whether or not the approval's record could be read yet.</summary>
    public bool Locked { get; init; }

    /// <summary>Refused because the values changed after the version it was prepared from (412); nothing was written.</summary>
    public ValuesChangedException? Changed { get; init; }
}

/// <summary>
/// parse → normalise and validate → archive the raw upload → merge. Nothing reaches the value store unless every value
/// is valid; a rejected upload is set aside in <c>submissions-rejected</c> with its errors so that nothing is lost.
/// </summary>
public sealed class SubmissionService(
    ReferenceData reference,
    IFieldValueStore values,
    ISubmissionArchive archive,
    IFormWorkbookReader formReader,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<SubmissionService> logger,
    ConsolidationPlanner? consolidation = null)
{
    private const string NotAWorkbook = "not_xlsx";

    public async Task<SubmissionOutcome> SubmitAsync(SubmissionInput input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Every log line of this submission, the storage layer's included, carries the org, period and channel.
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["Org"] = input.OrgCode,
            ["Period"] = input.Period.ToString(),
            ["Channel"] = input.Channel,
        });
        var bundle = await reference.CatalogForAsync(input.Period, cancellationToken);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        if (!orgs.TryGet(input.OrgCode, out var org) || org.Level != OrgLevel.Village)
        {
            ValidationError problem = new(null, "unknown_org", $"行政区划代码 {input.OrgCode} 不是单位名录中的村（社区），不能填报一表通。");
            await SetAsideAsync(input, [problem], cancellationToken);
            metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
            logger.LogWarning("Rejected {Channel} submission for {Org} {Period}: not a village of the registry", input.Channel, input.OrgCode, input.Period.ToString());
            return new SubmissionOutcome(null, [problem], []);
        }

        ParsedUpload parsed;
        try
        {
            parsed = Parse(input, bundle);
        }
        catch (MalformedUploadException ex)
        {
            // Unreadable uploads are refused as malformed (400) but, like invalid ones, never lost.
            await SetAsideAsync(input, [new ValidationError(null, "malformed_file", ex.Message)], cancellationToken);
            metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
            throw;
        }

        var errors = new List<ValidationError>(parsed.Errors);
        if (errors.Count == 0)
        {
            errors.AddRange(UnprintableValues(parsed.Values));
        }

        if (input.Format == UploadFormat.Workbook && errors.Count == 0)
        {
            errors.AddRange(FormChecks(parsed, input, bundle));
        }

        var warnings = new List<ValidationError>();
        IReadOnlyDictionary<string, FieldValue> normalised = new Dictionary<string, FieldValue>();
        var validator = new SubmissionValidator(bundle.Catalog);
        Task<IReadOnlyList<RelatedPeriodValues>>? related = null;
        Task<IReadOnlyDictionary<string, FieldValue>>? previous = null;
        if (errors.Count == 0)
        {
            // Each value on its own first: what would be merged, and the errors that no stored value can change.
            var each = validator.ValidateEach(parsed.Values, input.Period.Kind);
            normalised = each.Values;
            related = RelatedValuesAsync(validator, input, cancellationToken);
            previous = PreviousValuesIfNeededAsync(bundle.Catalog, input, normalised, cancellationToken);
            var unmatched = UnmatchedExplanations(parsed.Explanations, normalised).ToList();
            if (each.Errors.Count > 0 || unmatched.Count > 0 || normalised.Count == 0)
            {
                // Refused whatever is stored: every error at once, the rules over the stored values included.
                var current = await CurrentValuesIfNeededAsync(input, bundle, parsed.Values, cancellationToken);
                var outcome = validator.Validate(parsed.Values, current, input.Period, await related, await previous);
                errors.AddRange(outcome.Errors);
                errors.AddRange(unmatched);
                warnings.AddRange(Explained(outcome.Warnings, parsed.Explanations));
                if (errors.Count == 0 && normalised.Count == 0)
                {
                    errors.Add(new ValidationError(null, "no_values", "上传的内容中没有任何填报数值。"));
                }
            }
        }

        if (errors.Count > 0)
        {
            await SetAsideAsync(input, errors, cancellationToken);
            metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
            logger.LogWarning(
                "Rejected {Channel} submission for {Org} {Period} with {ErrorCount} errors (first: {FirstCode})",
                input.Channel, input.OrgCode, input.Period.ToString(), errors.Count, errors[0].Code);
            return new SubmissionOutcome(null, errors, warnings);
        }

        // The raw upload is archived beside the merge's read, and the commit waits for it: never a commit without its
        // record, and a failed archive leaves nothing written.
        var archived = archive.ArchiveAsync(input.Content, UploadFormats.ContentType(input.Format), cancellationToken);
        IReadOnlyList<ValidationError> checkedWarnings = [];
        async Task BeforeCommit(IReadOnlyDictionary<string, StoredValue> stored, CancellationToken _)
        {
            // The cross-field rules and required fields against the values the merge just read (the values that won a race,
            // on a retry): one query for both the check and the commit.
            var current = stored.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal);
            var outcome = validator.Validate(parsed.Values, current, input.Period, await related!, await previous!);
            checkedWarnings = [.. Explained(outcome.Warnings, parsed.Explanations)];
            if (outcome.Errors.Count > 0)
            {
                throw new SubmissionRefusedException(outcome.Errors);
            }

            await archived;
        }

        var request = new MergeRequest(
            input.OrgCode,
            input.Period,
            NewSubmissionId(),
            input.Origin,
            normalised,
            ContentHash.Compute(normalised, parsed.Explanations),
            input.IdempotencyKey,
            input.Channel,
            time.GetUtcNow())
        {
            Explanations = parsed.Explanations,
            Subject = input.Subject,
            SubjectOrg = input.SubjectOrg,
            // An explicit If-Match wins over the workbook's record: a client that has seen the newer values may send the
            // same file again on purpose.
            ExpectedVersion = input.ExpectedVersion ?? parsed.FormCheck?.ValuesVersion,
            BeforeCommit = BeforeCommit,
        };
        MergeReceipt receipt;
        try
        {
            receipt = await values.MergeAsync(request, cancellationToken);
            warnings.AddRange(checkedWarnings);
        }
        catch (SubmissionRefusedException refused)
        {
            errors.AddRange(refused.Errors);
            warnings.AddRange(checkedWarnings);
            await SetAsideAsync(input, errors, cancellationToken);
            metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
            logger.LogWarning(
                "Rejected {Channel} submission for {Org} {Period} with {ErrorCount} errors (first: {FirstCode})",
                input.Channel, input.OrgCode, input.Period.ToString(), errors.Count, errors[0].Code);
            return new SubmissionOutcome(null, errors, warnings);
        }
        catch (OrgLockedException locked)
        {
            // Approved data is locked for every channel: the merge reads the review state on the row it is conditioned on,
            // refuses, and writes nothing; the same read says who approved it and when.
            return await RefuseLockedAsync(input, org, locked.Approval, warnings, cancellationToken);
        }
        catch (ValuesChangedException changed)
        {
            // Prepared from values that another commit changed since: nothing written, kept aside like any refused upload.
            ValidationError problem = new(null, ValuesConflict.Code, ValuesConflict.Message(org, changed, bundle.Catalog));
            await SetAsideAsync(input, [problem], cancellationToken);
            metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
            logger.LogWarning("Rejected {Channel} submission for {Org} {Period}: prepared from version {Expected}, values are at {Current} ({ChangedCount} changed)",
                input.Channel, input.OrgCode, input.Period.ToString(), changed.ExpectedVersion, changed.CurrentVersion, changed.Changed.Count);
            return new SubmissionOutcome(null, [problem], warnings) { Changed = changed };
        }
        catch (IdempotencyKeyReusedException reused)
        {
            // Not a replay: the key was first used for other content. Nothing was written; the client answers 422.
            logger.LogWarning("Idempotency key reused with other content for {Org} {Period}; first used by {FirstSubmission}",
                input.OrgCode, input.Period.ToString(), reused.FirstSubmissionId);
            return new SubmissionOutcome(null, [new ValidationError(null, IdempotencyKeyReusedException.Code, reused.Message)], warnings);
        }
        finally
        {
            // A merge that failed before its check leaves these unawaited: their failures are the merge's, already answered.
            Observe(archived, related, previous);
        }

        var district = PipelineMetrics.District(input.OrgCode);
        if (receipt.IsReplay)
        {
            metrics.SubmissionsReplayed.Add(1, district);
        }
        else
        {
            metrics.SubmissionsAccepted.Add(1, district, new("channel", input.Channel));
            metrics.ValuesWritten.Add(receipt.Changed, district);
            metrics.ValuesSkipped.Add(receipt.Unchanged + receipt.ConfirmedPrefill, district);
            if (consolidation is not null && receipt.Changed > 0)
            {
                // The accepted change's workbooks are rebuilt now rather than at the next timer run.
                try
                {
                    await consolidation.EnqueueForChangeAsync(input.OrgCode, input.Period, [.. normalised.Keys], receipt.FirstReportedAt == receipt.ReceivedAt, cancellationToken);
                }
                catch (Exception ex) when (ex is OperationCanceledException || Http.StorageFailures.IsUnavailable(ex))
                {
                    // The values are committed: the sender is told so. The timer's run finds the changed inputs by their
                    // watermark and rebuilds the workbooks then.
                    logger.LogWarning("Committed {SubmissionId} for {Org} {Period}, but its rebuild was not queued ({Reason}); the timer will rebuild",
                        receipt.SubmissionId, input.OrgCode, input.Period.ToString(), ex.GetType().Name);
                }
            }
        }

        metrics.SubmissionDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, district);
        // An HTTP submission counts its storage calls (a blob drop or a bench runs outside a request: none counted).
        var (tableCalls, blobCalls, queueCalls) = Storage.Diagnostics.RequestStorageWrites.Current?.Calls ?? default;
        if (Storage.Diagnostics.RequestStorageWrites.Current is not null)
        {
            metrics.SubmissionStorageCalls.Record(tableCalls, new KeyValuePair<string, object?>("service", "table"));
            metrics.SubmissionStorageCalls.Record(blobCalls, new KeyValuePair<string, object?>("service", "blob"));
            metrics.SubmissionStorageCalls.Record(queueCalls, new KeyValuePair<string, object?>("service", "queue"));
        }

        logger.LogInformation(
            "Accepted {Channel} submission {SubmissionId} for {Org} {Period}: {Changed} changed, {Unchanged} unchanged, {Confirmed} confirmed, {Conflicts} prefill conflicts, replay {IsReplay}; storage calls {TableCalls} table, {BlobCalls} blob, {QueueCalls} queue",
            input.Channel, receipt.SubmissionId, input.OrgCode, input.Period.ToString(), receipt.Changed, receipt.Unchanged,
            receipt.ConfirmedPrefill, receipt.PrefillConflicts.Count, receipt.IsReplay, tableCalls, blobCalls, queueCalls);
        return new SubmissionOutcome(receipt, [], warnings);
    }

    /// <summary>Every channel's answer to a locked (period, org): set aside with who approved it, counted, 409, nothing written.</summary>
    private async Task<SubmissionOutcome> RefuseLockedAsync(SubmissionInput input, Org org, ApprovalRecord? approval, IReadOnlyList<ValidationError> warnings, CancellationToken cancellationToken)
    {
        ValidationError problem = new(null, "locked", ApprovalRules.LockedMessage(org, input.Period, approval));
        await SetAsideAsync(input, [problem], cancellationToken);
        metrics.SubmissionsRejected.Add(1, PipelineMetrics.District(input.OrgCode), new("channel", input.Channel));
        logger.LogWarning("Rejected {Channel} submission for {Org} {Period}: locked by the approval of {ApprovedBy} of {ApprovedByOrg}",
            input.Channel, input.OrgCode, input.Period.ToString(), approval?.BySubject, approval?.ByOrg);
        return new SubmissionOutcome(null, [problem], warnings) { LockedBy = approval, Locked = true };
    }

    private ParsedUpload Parse(SubmissionInput input, CatalogBundle bundle)
    {
        switch (input.Format)
        {
            case UploadFormat.Json:
                return JsonSubmissionParser.Parse(input.Content);
            case UploadFormat.Csv:
                return new CsvSubmissionParser(bundle.Catalog).Parse(input.Content);
            default:
                using (var stream = new MemoryStream(input.Content.ToArray(), writable: false))
                {
                    var form = formReader.Read(stream);
                    if (form.Errors.FirstOrDefault(e => e.Code == NotAWorkbook) is { } unreadable)
                    {
                        // The contract answers an unreadable body with 400, whichever format it claimed to be.
                        throw new MalformedUploadException(unreadable.Message);
                    }

                    return new ParsedUpload(form.Values, form.Errors)
                    {
                        FormCheck = form,
                    };
                }
        }
    }

    /// <summary>
    /// Control characters (NUL, ESC, …) cannot be written into a workbook's XML, so one stored text value would break
    /// every form and report built from it afterwards; they are refused at the door. Tabs and line breaks are kept.
    /// </summary>
    private static IEnumerable<ValidationError> UnprintableValues(IReadOnlyList<RawValue> raw)
    {
        foreach (var value in raw)
        {
            if (value.Text is { } text && HasUnprintable(text))
            {
                yield return new ValidationError(value.FieldId, "control_character",
                    $"指标“{value.FieldId}”的值中含有不可见的控制字符（如 NUL），请删除后重新填写{(value.Cell is null ? "" : $"（{value.Cell}）")}。", value.Cell);
            }
        }
    }

    private static bool HasUnprintable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            // A lone surrogate or a noncharacter is not valid XML either.
            if ((char.IsControl(c) && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<ValidationError> FormChecks(ParsedUpload parsed, SubmissionInput input, CatalogBundle bundle) =>
        parsed.FormCheck?.CheckMatches(input.OrgCode, input.Period, bundle.Catalog.Version) ?? [];

    /// <summary>
    /// Cross-field rules and required fields look at the org's stored values too; a full upload carries them all, so the
    /// read is skipped unless a rule or a required field refers to a value the upload does not hold.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, FieldValue>> CurrentValuesIfNeededAsync(
        SubmissionInput input, CatalogBundle bundle, IReadOnlyList<RawValue> raw, CancellationToken cancellationToken)
    {
        // A blank cell or a JSON null sends nothing, so the stored value is what the rules must see.
        var incoming = raw.Where(r => !string.IsNullOrWhiteSpace(r.Text)).Select(r => r.FieldId).ToHashSet(StringComparer.Ordinal);
        var needed = reference.FieldsNeededForValidation(bundle, input.Period.Kind);
        if (needed.All(incoming.Contains))
        {
            return new Dictionary<string, FieldValue>();
        }

        var stored = await values.GetAsync(input.OrgCode, input.Period, cancellationToken);
        return stored.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal);
    }

    /// <summary>A quality warning on a field the clerk explained says so (the receipt and the 422 list which were explained).</summary>
    private static IEnumerable<ValidationError> Explained(IReadOnlyList<ValidationError> warnings, IReadOnlyDictionary<string, string> explanations) =>
        warnings.Select(w => w.FieldId is { } id && QualityExplanations.IsQualityWarning(w.Code) && explanations.TryGetValue(id, out var text)
            ? w with { Explanation = text }
            : w);

    /// <summary>An explanation belongs with a value of the same upload; one for a field not sent would be stored nowhere.</summary>
    private static IEnumerable<ValidationError> UnmatchedExplanations(IReadOnlyDictionary<string, string> explanations, IReadOnlyDictionary<string, FieldValue> values) =>
        explanations.Keys.Where(id => !values.ContainsKey(id)).Order(StringComparer.Ordinal).Select(id =>
            new ValidationError(UserText.Excerpt(id), QualityExplanations.WithoutValue,
                $"说明所对应的指标“{UserText.Excerpt(id)}”不在本次填报的数值中：说明须与该指标的数值一同提交。", $"explanations.{UserText.Excerpt(id)}"));

    /// <summary>
    /// The org's stored values of the periods that rules spanning frequencies compare with this one (the quarter's last
    /// month for a quarter; the quarter and the year a month ends): at most two reads, none for a month inside a quarter.
    /// </summary>
    private async Task<IReadOnlyList<RelatedPeriodValues>> RelatedValuesAsync(SubmissionValidator validator, SubmissionInput input, CancellationToken cancellationToken)
    {
        var related = new List<RelatedPeriodValues>();
        foreach (var period in validator.RelatedPeriods(input.Period))
        {
            var stored = await values.GetAsync(input.OrgCode, period, cancellationToken);
            if (stored.Values.Count > 0)
            {
                related.Add(new RelatedPeriodValues(period, stored.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal)));
            }
        }

        return related;
    }

    /// <summary>
    /// The previous period's values, which the change rule (数据质量) compares numbers with: read only when a submitted
    /// number's field has a change threshold — otherwise no warning can come of them — and beside the merge's read.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, FieldValue>> PreviousValuesIfNeededAsync(
        Domain.Catalog.FieldCatalog catalog, SubmissionInput input, IReadOnlyDictionary<string, FieldValue> submitted, CancellationToken cancellationToken)
    {
        var previous = input.Period.Previous();
        var compared = submitted.Where(kv => kv.Value.Number is not null && catalog.Find(kv.Key)?.MaxChange is not null).Select(kv => kv.Key).ToList();
        var last = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        if (!previous.IsSupported || compared.Count == 0)
        {
            return last;
        }

        // Only the compared fields' properties come back.
        await foreach (var stored in values.ReadManyAsync(previous, [input.OrgCode], compared, cancellationToken))
        {
            foreach (var (id, value) in stored.Values)
            {
                last[id] = value.Value;
            }
        }

        return last;
    }

    private async Task SetAsideAsync(SubmissionInput input, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken)
    {
        // Blob drops keep their own name; HTTP uploads get one from the org, period and content hash, so a resend
        // of the same bad file overwrites its own copy instead of piling up.
        var name = input.FileName
            ?? $"http/{input.Period}/{input.OrgCode}/{Convert.ToHexStringLower(SHA256.HashData(input.Content.Span))[..16]}{UploadFormats.Extension(input.Format)}";
        await archive.RejectAsync(name, input.Content, UploadFormats.ContentType(input.Format), errors, cancellationToken);
    }

    private static void Observe(params Task?[] tasks)
    {
        foreach (var task in tasks)
        {
            _ = task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private string NewSubmissionId()
    {
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        return $"S{time.GetUtcNow():yyyyMMddHHmmss}{Convert.ToHexStringLower(random)}";
    }
}
