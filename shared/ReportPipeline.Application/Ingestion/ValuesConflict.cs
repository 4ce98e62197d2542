using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Ingestion;

/// <summary>How every channel words a submission refused because the values changed after the version it was prepared from.</summary>
public static class ValuesConflict
{
    public const string Code = "values_changed";

    /// <summary>Fields named in the sentence; the answer lists every changed field (up to the store's bound) beside it.</summary>
    private const int NamedInMessage = 5;

    public static string Message(Org org, ValuesChangedException changed, FieldCatalog catalog)
    {
        var overwritten = changed.Changed.Where(c => c.Submitted is { } mine && mine.Canonical != c.Current.Value.Canonical).ToList();
        var named = string.Join("；", overwritten.Take(NamedInMessage).Select(c =>
        {
            var field = catalog.Find(c.FieldId);
            var unit = field?.Unit is { Length: > 0 } u ? u : "";
            return $"{field?.Name ?? c.FieldId}：已保存 {c.Current.Value.Canonical}{unit}（{DisplayClock.FormatWithZone(c.Current.At)}），本次 {c.Submitted!.Value.Canonical}{unit}";
        }));
        var what = overwritten.Count == 0
            ? "本次提交的数值与更新后的数据没有冲突，但须基于最新版本提交。"
            : $"有 {overwritten.Count} 项已保存的数值与本次提交的不同：{named}{(overwritten.Count > NamedInMessage ? "；……" : "")}。";
        return $"{org.Name}（{org.Code}）{changed.Period.ToDisplayString()} 的数据在您打开或下载填报表之后已被更新，本次提交未保存任何数据。{what}请查看最新数值，逐项确认后重新提交。";
    }
}
