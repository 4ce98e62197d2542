using System.Runtime.CompilerServices;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Admission;

/// <summary>
/// The design check's name matcher of each catalog version, built once per version (it indexes every name and alias):
/// the check route and the proposals both classify columns against the version they concern.
/// </summary>
public static class DesignCheckMatchers
{
    private static readonly ConditionalWeakTable<CatalogBundle, FieldNameMatcher> s_matchers = [];

    public static FieldNameMatcher For(CatalogBundle bundle) =>
        s_matchers.GetValue(bundle, b => new FieldNameMatcher(b.Catalog));
}
