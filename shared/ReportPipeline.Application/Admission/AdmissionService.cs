using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Templates.Admission;

namespace ReportPipeline.Application.Admission;

/// <summary>Why a proposal or a decision was not taken: an HTTP status and the Chinese reasons.</summary>
public sealed record AdmissionRefusal(int Status, string Title, string Detail, string Type, IReadOnlyList<string> Errors, object? Check = null);

/// <summary>
/// 报表准入: a department proposes a report (checked against the one table and priced in entries per village per year);
/// the city's 减负 office admits it, and admission publishes the next catalog version, in force from the period chosen,
/// built on exactly the version before it (<see cref="ICatalogPublisher"/>), or rejects or returns it with a reason.
/// </summary>
public sealed class AdmissionService(
    ReferenceData reference,
    ICatalogSource catalogSource,
    ICatalogPublisher publisher,
    IProposalStore proposals,
    ReportingCalendar calendar,
    TimeProvider time,
    ILogger<AdmissionService> logger)
{
    /// <summary>Admissions that lose the race for the next version rebuild on the new one this many times before giving up.</summary>
    public const int PublishAttempts = 10;

    /// <summary>How long an admission waits for another one that is writing the version it must build on.</summary>
    private static readonly TimeSpan s_pendingWait = TimeSpan.FromMilliseconds(300);

    public async Task<(ProposalRecord? Record, AdmissionRefusal? Refusal)> ProposeAsync(
        AdmissionRequest request, string department, string subject, string org, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.EffectiveFrom.Start <= calendar.Today(time.GetUtcNow()))
        {
            return (null, Unprocessable("生效期不对", $"生效期 {request.EffectiveFrom} 已经开始：新报表只能从尚未开始的报告期起生效（已采集的期次保持原样）。", "effective-from-past"));
        }

        var bundle = await reference.CatalogForAsync(request.EffectiveFrom, cancellationToken);
        var conflicts = CatalogAmendment.Conflicts(request, bundle, department);
        if (conflicts.Count > 0)
        {
            return (null, Unprocessable("报表申请与一表冲突", $"共 {conflicts.Count} 处冲突。", "proposal-conflict", conflicts));
        }

        var result = TemplateDesignCheck.Check(request.Check, DesignCheckMatchers.For(bundle));
        var check = JsonSerializer.SerializeToNode(TemplateCheckApi.Answer(result), ProposalRecord.Json)!;
        if (result.IsRefused)
        {
            var offending = result.Columns.Where(c => c.Kind is ColumnVerdictKind.NearMatch or ColumnVerdictKind.Invalid).ToList();
            return (null, Unprocessable("报表设计未通过检查",
                $"共 {offending.Count} 列有问题：近似已有指标的列请直接引用已有指标，有误的列请改正后重新申请。", "template-design",
                [.. offending.Select(c => $"第 {c.Index + 1} 列“{c.Header}”：{c.Message}")], check));
        }

        var id = NewId();
        var documents = await catalogSource.LoadAsync(await catalogSource.GetVersionAsync(request.EffectiveFrom, cancellationToken), cancellationToken);
        var (_, problems) = CatalogAmendment.Verify(CatalogAmendment.Apply(documents, request, department, id, "9999.1.1"), "proposal");
        if (problems.Count > 0)
        {
            return (null, Unprocessable("报表模板或新增指标有误", $"按此申请生成的目录有 {problems.Count} 处问题，请改正后重新申请。", "proposal-invalid", problems));
        }

        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = orgs.All.Count(o => o.Level == OrgLevel.Village);
        var record = new ProposalRecord
        {
            Id = id,
            Status = ProposalStatus.Pending,
            Department = department,
            TemplateId = request.TemplateId,
            Title = request.Title,
            PeriodKind = request.PeriodKind.ToString().ToLowerInvariant(),
            ProposedBy = subject,
            ProposedByOrg = org,
            ProposedAt = time.GetUtcNow(),
            EffectiveFrom = request.EffectiveFrom.ToString(),
            Reason = request.Reason,
            CheckedAgainst = bundle.Catalog.Version,
            Template = request.Template,
            Fields = request.Fields,
            Check = check,
            Burden = new BurdenDelta(result.ExtraEntriesPerVillagePerYear, villages, (long)result.ExtraEntriesPerVillagePerYear * villages),
        };
        await proposals.CreateAsync(id, record.ToJson(), cancellationToken);
        logger.LogInformation("Proposal {ProposalId} by {Department} for template {TemplateId} from {EffectiveFrom}: {New} new columns, {Entries} entries per village per year",
            id, department, request.TemplateId, record.EffectiveFrom, result.New, result.ExtraEntriesPerVillagePerYear);
        return (record, null);
    }

    /// <summary>Admit, reject or return a pending proposal (the caller is the city's admin; checked by the route).</summary>
    public async Task<(ProposalRecord? Record, AdmissionRefusal? Refusal)> DecideAsync(
        string id, string action, string reason, string? effectiveFromText, string subject, string org, CancellationToken cancellationToken)
    {
        if (await proposals.GetAsync(id, cancellationToken) is not { } stored)
        {
            return (null, new AdmissionRefusal(404, "未找到", $"没有编号为“{Domain.Validation.UserText.Excerpt(id)}”的报表申请。", "unknown-proposal", []));
        }

        var record = await SettleAsync(stored, cancellationToken);
        if (record.Status != ProposalStatus.Pending)
        {
            return (null, Conflict($"该申请{ProposalStatus.Chinese(record.Status)}，不能再次决定。", "proposal-decided"));
        }

        var decision = new ProposalDecision(action, reason, subject, org, time.GetUtcNow(), null, null, null);
        if (action != "admit")
        {
            var decided = record with
            {
                Status = action == "reject" ? ProposalStatus.Rejected : ProposalStatus.Returned,
                Decision = decision,
                History = [.. record.History, decision],
            };
            return await proposals.ReplaceAsync(id, decided.ToJson(), stored.ETag, cancellationToken)
                ? (decided, null)
                : (null, Conflict("该申请刚被他人决定，请刷新后查看。", "proposal-decided"));
        }

        var effectiveText = string.IsNullOrEmpty(effectiveFromText) ? record.EffectiveFrom : effectiveFromText;
        if (!Period.TryParse(effectiveText, out var effectiveFrom) || !effectiveFrom.IsSupported)
        {
            return (null, new AdmissionRefusal(400, "请求格式错误", $"生效期 effectiveFrom“{Domain.Validation.UserText.Excerpt(effectiveText)}”不是报告期：应为 2027-01（月）、2027-Q1 或 2027。", "bad-period", []));
        }

        if (effectiveFrom.Start <= calendar.Today(time.GetUtcNow()))
        {
            return (null, Unprocessable("生效期不对", $"生效期 {effectiveFrom} 已经开始：只能从尚未开始的报告期起生效，已采集的期次保持原来的目录版本。", "effective-from-past"));
        }

        // Claim the proposal first, so that two admins admitting it at once publish it once. The claim carries the
        // decision, so that whoever settles it (this request, or a later one if this host dies) can finish it.
        var claimed = record with { Status = ProposalStatus.Admitting, Decision = decision with { EffectiveFrom = effectiveFrom.ToString() } };
        if (!await proposals.ReplaceAsync(id, claimed.ToJson(), stored.ETag, cancellationToken))
        {
            return (null, Conflict("该申请刚被他人决定，请刷新后查看。", "proposal-decided"));
        }

        var claim = (await proposals.GetAsync(id, cancellationToken))!;
        var finished = false;
        try
        {
            var request = AdmissionRequest.Parse(JsonSerializer.SerializeToUtf8Bytes(new
            {
                template = record.Template,
                fields = record.Fields,
                effectiveFrom = effectiveFrom.ToString(),
                reason = record.Reason,
            }));
            for (var attempt = 0; attempt < PublishAttempts; attempt++)
            {
                var head = await publisher.GetHeadAsync(cancellationToken);
                if (head.Pending)
                {
                    await Task.Delay(s_pendingWait, time, cancellationToken);
                    continue;
                }

                if (head.InForceFrom is { } newest && newest.Start > effectiveFrom.Start)
                {
                    return (null, Unprocessable("生效期不对", $"最新的目录版本 {head.Version} 自 {newest} 起生效：本次准入的生效期不能早于它（否则 {newest} 以后会丢失本报表）。", "effective-from-before-newest"));
                }

                var baseDocuments = await catalogSource.LoadAsync(head.Version, cancellationToken);
                var baseBundle = CatalogLoader.Load(baseDocuments);
                var conflicts = CatalogAmendment.Conflicts(request, baseBundle, record.Department);
                var check = TemplateDesignCheck.Check(request.Check, DesignCheckMatchers.For(baseBundle));
                if (conflicts.Count > 0 || check.IsRefused)
                {
                    return (null, Unprocessable("报表申请与当前目录冲突", "申请后目录已有变化，请部门按最新目录重新申请。", "proposal-conflict",
                        [.. conflicts, .. check.Columns.Where(c => c.Kind is ColumnVerdictKind.NearMatch or ColumnVerdictKind.Invalid).Select(c => $"第 {c.Index + 1} 列“{c.Header}”：{c.Message}")]));
                }

                var declared = CatalogAmendment.DeclaredVersion(effectiveFrom, head.Sequence + 1);
                var documents = CatalogAmendment.Apply(baseDocuments, request, record.Department, record.Id, declared);
                var (_, problems) = CatalogAmendment.Verify(documents, declared);
                if (problems.Count > 0)
                {
                    return (null, Unprocessable("报表模板或新增指标有误", $"按此申请生成的目录有 {problems.Count} 处问题。", "proposal-invalid", problems));
                }

                if (await publisher.PublishAsync(head, documents, effectiveFrom, origin: id, cancellationToken) is not { } version)
                {
                    logger.LogInformation("Admission of {ProposalId} lost the race for the version after {BaseVersion}; rebuilding on the new head", id, head.Version);
                    continue;
                }

                finished = true;
                reference.InvalidateCatalog();
                var admitted = Admitted(claimed, version, declared);
                await proposals.ReplaceAsync(id, admitted.ToJson(), claim.ETag, CancellationToken.None);
                logger.LogInformation("Admitted {ProposalId} ({TemplateId} of {Department}) as catalog {CatalogVersion} ({DeclaredVersion}) in force from {EffectiveFrom}",
                    id, record.TemplateId, record.Department, version, declared, effectiveFrom.ToString());
                return (admitted, null);
            }

            return (null, Conflict("目录正在被其他准入更新，本次未发布，请稍后重试。", "catalog-busy"));
        }
        catch (Exception ex) when (!finished)
        {
            // The publication may have landed although its answer was lost (a timeout after the commit, a cancelled
            // request): ask the catalog instead of guessing, and answer what is true.
            finished = true; // settled here, not again below
            var settled = await SettleAsync(claim, CancellationToken.None, abandoned: true);
            if (settled.Status == ProposalStatus.Admitted)
            {
                reference.InvalidateCatalog();
                logger.LogWarning(ex, "Admission of {ProposalId} failed after its catalog version {CatalogVersion} was published; recorded as admitted", id, settled.Decision?.Version);
                return (settled, null);
            }

            throw;
        }
        finally
        {
            if (!finished)
            {
                await SettleAsync(claim, CancellationToken.None, abandoned: true);
            }
        }
    }

    /// <summary>
    /// Finishes a proposal left 正在发布 by an admission that did not record its outcome: admitted when the catalog has
    /// a version published for it, 待审核 again when it has none (or only an abandoned one) and the admission is known
    /// to be over (<paramref name="abandoned"/>, or the claim is older than <see cref="ICatalogPublisher.AbandonedAfter"/>),
    /// unchanged while its version is still being written. Every write is conditioned on the claim's ETag, so a settle
    /// never undoes what the admission (or another settle) recorded first.
    /// </summary>
    private async Task<ProposalRecord> SettleAsync(StoredProposal stored, CancellationToken cancellationToken, bool abandoned = false)
    {
        var record = ProposalRecord.FromJson(stored.Json);
        if (record.Status != ProposalStatus.Admitting)
        {
            return record;
        }

        var publication = await publisher.FindPublicationAsync(record.Id, cancellationToken);
        ProposalRecord settled;
        if (publication is { State: CatalogPublicationState.Published })
        {
            var documents = await catalogSource.LoadAsync(publication.Version, cancellationToken);
            settled = Admitted(record, publication.Version, CatalogLoader.Load(documents).Catalog.Version);
        }
        else if (publication is { State: CatalogPublicationState.Publishing }
            || (!abandoned && time.GetUtcNow() - (record.Decision?.At ?? DateTimeOffset.MinValue) < ICatalogPublisher.AbandonedAfter))
        {
            return record;
        }
        else
        {
            settled = record with { Status = ProposalStatus.Pending, Decision = record.History.Count > 0 ? record.History[^1] : null };
        }

        if (await proposals.ReplaceAsync(record.Id, settled.ToJson(), stored.ETag, cancellationToken))
        {
            logger.LogInformation("Settled proposal {ProposalId} left admitting: {Status} (catalog {CatalogVersion})", record.Id, settled.Status, publication?.Version);
            return settled;
        }

        return await proposals.GetAsync(record.Id, cancellationToken) is { } now ? ProposalRecord.FromJson(now.Json) : settled;
    }

    private static ProposalRecord Admitted(ProposalRecord claimed, string version, string declared)
    {
        var decision = claimed.Decision! with { Version = version, DeclaredVersion = declared };
        return claimed with { Status = ProposalStatus.Admitted, Decision = decision, History = [.. claimed.History, decision] };
    }

    public async Task<IReadOnlyList<ProposalRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<ProposalRecord>();
        await foreach (var stored in proposals.ListAsync(cancellationToken))
        {
            list.Add(await SettleAsync(stored, cancellationToken));
        }

        return [.. list.OrderByDescending(p => p.ProposedAt)];
    }

    public async Task<ProposalRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        await proposals.GetAsync(id, cancellationToken) is { } stored ? await SettleAsync(stored, cancellationToken) : null;

    /// <summary>Entries a village types for a template in a year: its typed fields (directly or in an expression) × reports per year.</summary>
    public static int EntriesPerVillagePerYear(ReportTemplate template, FieldCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(catalog);
        var typed = template.Columns
            .SelectMany(c => c.FieldIds())
            .Distinct(StringComparer.Ordinal)
            .Count(id => catalog.Find(id) is { Source: FieldSource.Typed });
        return typed * TemplateDesignCheck.PeriodsPerYear(template.PeriodKind);
    }

    private static AdmissionRefusal Unprocessable(string title, string detail, string type, IReadOnlyList<string>? errors = null, object? check = null) =>
        new(422, title, detail, type, errors ?? [], check);

    private static AdmissionRefusal Conflict(string detail, string type) => new(409, "冲突", detail, type, []);

    private string NewId() =>
        "p" + time.GetUtcNow().ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)
        + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
}
