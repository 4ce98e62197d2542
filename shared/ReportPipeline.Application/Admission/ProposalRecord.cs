using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ReportPipeline.Application.Admission;

/// <summary>The states of a proposal: pending until the city's 减负 office admits, rejects or returns it.</summary>
public static class ProposalStatus
{
    public const string Pending = "pending";
    /// <summary>An admission is publishing its catalog version (a few seconds).</summary>
    public const string Admitting = "admitting";
    public const string Admitted = "admitted";
    public const string Rejected = "rejected";
    public const string Returned = "returned";

    public static readonly IReadOnlyList<string> Listed = [Pending, Admitted, Rejected, Returned];

    public static string Chinese(string status) => status switch
    {
        Pending => "待审核",
        Admitting => "正在发布",
        Admitted => "已准入",
        Rejected => "已驳回",
        Returned => "已退回修改",
        _ => status,
    };
}

/// <summary>Who decided what on a proposal, and for an admission the catalog version it published.</summary>
public sealed record ProposalDecision(
    string Action,
    string Reason,
    string By,
    string ByOrg,
    DateTimeOffset At,
    string? EffectiveFrom,
    string? Version,
    string? DeclaredVersion);

/// <summary>What the burden review tells about a proposal: extra entries per village per year, and across the city.</summary>
public sealed record BurdenDelta(int EntriesPerVillagePerYear, int Villages, long CityEntriesPerYear);

/// <summary>One proposal as stored (<c>proposals/{id}.json</c>).</summary>
public sealed record ProposalRecord
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required string Id { get; init; }
    public required string Status { get; init; }
    public required string Department { get; init; }
    public required string TemplateId { get; init; }
    public required string Title { get; init; }
    public required string PeriodKind { get; init; }
    public required string ProposedBy { get; init; }
    public required string ProposedByOrg { get; init; }
    public required DateTimeOffset ProposedAt { get; init; }
    public required string EffectiveFrom { get; init; }
    public required string Reason { get; init; }
    /// <summary>The catalog version the design check ran against.</summary>
    public required string CheckedAgainst { get; init; }
    public required JsonObject Template { get; init; }
    public required IReadOnlyList<JsonObject> Fields { get; init; }
    /// <summary>The design check's verdicts per column and their summary, as <c>POST /api/templates/check</c> answers them.</summary>
    public required JsonNode Check { get; init; }
    public required BurdenDelta Burden { get; init; }
    public ProposalDecision? Decision { get; init; }
    /// <summary>Earlier decisions (a return, then a resubmission) are kept here.</summary>
    public IReadOnlyList<ProposalDecision> History { get; init; } = [];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static ProposalRecord FromJson(ReadOnlyMemory<byte> json) =>
        JsonSerializer.Deserialize<ProposalRecord>(json.Span, Json) ?? throw new JsonException("empty proposal");
}
