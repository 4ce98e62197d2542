using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Domain.Tests.Templates;

public sealed class TemplateDesignCheckTests
{
    private static readonly CatalogBundle s_bundle = FileCatalogSource.Shipped.LoadBundle();
    private static readonly FieldNameMatcher s_matcher = new(s_bundle.Catalog);

    private static TemplateDesignResult Check(PeriodKind kind, params ProposedColumn[] columns) =>
        TemplateDesignCheck.Check(new TemplateProposal("测试报表", "测试局", kind, columns), s_matcher);

    private static ProposedColumn Header(params string[] headers) => new(headers);

    [Fact]
    public void Every_shipped_template_is_found_existing_or_derivable_column_by_column()
    {
        foreach (var template in s_bundle.Templates)
        {
            var proposal = new TemplateProposal(template.Title, template.Department, template.PeriodKind,
                [.. template.Columns.Select(c => new ProposedColumn(c.Headers, c.Id, c.FieldId, c.Expression?.ToString()))]);

            var result = TemplateDesignCheck.Check(proposal, s_matcher);

            Assert.False(result.IsRefused, template.Id);
            Assert.Equal(0, result.ExtraEntriesPerVillagePerYear);
            Assert.All(result.Columns, c => Assert.Contains(c.Kind, new[] { ColumnVerdictKind.Existing, ColumnVerdictKind.Derivable }));
            Assert.Equal(template.Columns.Count(c => c.Expression is not null), result.Derivable);
        }
    }

    [Fact]
    public void Shipped_template_json_files_read_as_proposals_check_clean()
    {
        var folder = Path.Combine(FileCatalogSource.ShippedFolder, CatalogLayout.TemplatesFolder);
        var files = Directory.GetFiles(folder, "*.json");
        Assert.Equal(s_bundle.Templates.Count, files.Length);
        foreach (var file in files)
        {
            var result = TemplateDesignCheck.Check(TemplateProposalJson.Parse(File.ReadAllBytes(file)), s_matcher);
            Assert.Equal(0, result.New + result.NearMatches + result.Invalid);
        }
    }

    [Theory]
    [InlineData("60岁及以上人口占户籍人口比例", "percent(pop_age_60_plus, pop_registered)")]
    [InlineData("城乡低保人数占户籍人口的比重", "percent(")]
    [InlineData("60岁及以上人口占户籍人口百分比（%）", "percent(pop_age_60_plus, pop_registered)")]
    [InlineData("60岁及以上人口与户籍人口之比", "ratio(pop_age_60_plus, pop_registered)")]
    public void A_share_phrased_X占Y比例_or_X与Y之比_is_derivable_and_adds_no_typing(string header, string expressionStart)
    {
        var result = Check(PeriodKind.Month, Header(header));

        var column = Assert.Single(result.Columns);
        Assert.Equal(ColumnVerdictKind.Derivable, column.Kind);
        Assert.StartsWith(expressionStart, column.Expression, StringComparison.Ordinal);
        Assert.Equal(0, result.ExtraEntriesPerVillagePerYear);
    }

    [Fact]
    public void A_column_the_catalog_would_refuse_is_refused_by_the_design_check_with_the_loaders_words()
    {
        // 少数民族人口 is collected yearly: a monthly report cannot read it; an expression cannot compute with a text field.
        var result = Check(PeriodKind.Month,
            new ProposedColumn(["少数民族人口"], FieldId: "pop_ethnic_minority"),
            new ProposedColumn(["电话之和"], Expression: "sum(office_phone, pop_registered)"),
            Header("少数民族人口"));

        Assert.All(result.Columns, c => Assert.Equal(ColumnVerdictKind.Invalid, c.Kind));
        Assert.Contains("只按年采集", result.Columns[0].Message, StringComparison.Ordinal);
        Assert.Contains("不是数值类型", result.Columns[1].Message, StringComparison.Ordinal);
        Assert.Contains("只按年采集", result.Columns[2].Message, StringComparison.Ordinal);
        Assert.True(result.IsRefused);
        Assert.False(Check(PeriodKind.Year, Header("少数民族人口")).IsRefused);
    }

    [Fact]
    public void A_renamed_total_near_matches_the_field_it_renames()
    {
        // 户籍总人口 is one of pop_registered's aliases in the shipped catalog; without the alias it must still be caught.
        var registered = s_bundle.Catalog["pop_registered"];
        var withoutAlias = new FieldCatalog(s_bundle.Catalog.Version,
            [.. s_bundle.Catalog.Fields.Select(f => f.Id == registered.Id ? f with { Aliases = [] } : f)], s_bundle.Catalog.Rules);

        var result = TemplateDesignCheck.Check(
            new TemplateProposal(null, null, PeriodKind.Month, [Header("户籍总人口"), Header("60岁以上老人")]), new FieldNameMatcher(withoutAlias));

        var renamed = result.Columns[0];
        Assert.Equal(ColumnVerdictKind.Existing, renamed.Kind);
        Assert.Equal("pop_registered", renamed.FieldId);
        var older = result.Columns[1];
        Assert.Equal(ColumnVerdictKind.NearMatch, older.Kind);
        Assert.Equal("pop_age_60_plus", older.Candidates[0].FieldId);
        Assert.True(result.IsRefused);

        var near = new FieldNameMatcher(withoutAlias).FindNear("户籍总人口");
        Assert.Equal(("pop_registered", 1.00m), (near[0].FieldId, near[0].Score));
    }

    [Fact]
    public void Exact_names_and_aliases_are_existing_and_say_how_they_matched()
    {
        var result = Check(PeriodKind.Month, Header("户籍人口"), Header("外来人口"), Header("pop_resident"), Header("户籍总人口（人）"));

        Assert.Equal([NameMatchKind.Name, NameMatchKind.Alias, NameMatchKind.Id, NameMatchKind.Name], result.Columns.Select(c => c.MatchedBy!.Value));
        Assert.Equal(["pop_registered", "pop_floating_in", "pop_resident", "pop_registered"], result.Columns.Select(c => c.FieldId!));
    }

    [Fact]
    public void A_genuinely_new_column_is_new_and_costs_its_periods_per_year()
    {
        var monthly = Check(PeriodKind.Month, Header("户籍人口"), Header("网吧数量"), Header("快递驿站个数"));
        var quarterly = Check(PeriodKind.Quarter, Header("网吧数量"), Header("快递驿站个数"));
        var yearly = Check(PeriodKind.Year, Header("网吧数量"));

        Assert.Equal([ColumnVerdictKind.Existing, ColumnVerdictKind.New, ColumnVerdictKind.New], monthly.Columns.Select(c => c.Kind));
        Assert.Empty(monthly.Columns[1].Candidates);
        Assert.False(monthly.IsRefused);
        Assert.Equal(2 * 12, monthly.ExtraEntriesPerVillagePerYear);
        Assert.Equal(2 * 4, quarterly.ExtraEntriesPerVillagePerYear);
        Assert.Equal(1, yearly.ExtraEntriesPerVillagePerYear);
    }

    [Fact]
    public void Multi_row_headers_match_by_their_path_and_a_total_leaf_is_the_sum_of_its_siblings()
    {
        var result = Check(PeriodKind.Month, Header("户籍人口", "男"), Header("户籍人口", "女"), Header("户籍人口", "合计"), Header("党员", "党员占比"));

        Assert.Equal("pop_registered_male", result.Columns[0].FieldId);
        Assert.Equal("pop_registered_female", result.Columns[1].FieldId);
        Assert.Equal(ColumnVerdictKind.Derivable, result.Columns[2].Kind);
        Assert.Equal("sum(pop_registered_male, pop_registered_female)", result.Columns[2].Expression);
        Assert.Equal(ColumnVerdictKind.Derivable, result.Columns[3].Kind);
        Assert.Equal("percent(party_members, pop_registered)", result.Columns[3].Expression);
    }

    [Fact]
    public void Bad_expressions_and_unknown_field_ids_are_invalid_and_refused()
    {
        var result = Check(PeriodKind.Month,
            new ProposedColumn(["比例"], Expression: "ratio(party_members"),
            new ProposedColumn(["新指标"], FieldId: "no_such_field"),
            new ProposedColumn(["党员比例"], Expression: "percent(party_members, no_such_total)"));

        Assert.All(result.Columns, c => Assert.Equal(ColumnVerdictKind.Invalid, c.Kind));
        Assert.True(result.IsRefused);
    }

    [Fact]
    public void User_text_is_quoted_bounded()
    {
        var result = Check(PeriodKind.Month, Header(new string('村', 5000)));

        Assert.True(result.Columns[0].Header.Length < 80);
    }

    [Fact]
    public void Malformed_json_too_many_columns_and_bad_period_kinds_are_refused_with_chinese_messages()
    {
        Assert.Contains("JSON", Assert.Throws<MalformedProposalException>(() => TemplateProposalJson.Parse("{\"columns\": ["u8)).Message);
        var many = "{\"columns\": [" + string.Join(",", Enumerable.Repeat("{\"headers\": [\"甲\"]}", ProposalLimits.MaxColumns + 1)) + "]}";
        Assert.Contains("上限", Assert.Throws<MalformedProposalException>(() => TemplateProposalJson.Parse(Encoding.UTF8.GetBytes(many))).Message);
        Assert.Contains("periodKind", Assert.Throws<MalformedProposalException>(() => TemplateProposalJson.Parse("{\"periodKind\": \"weekly\", \"columns\": [{\"headers\": [\"甲\"]}]}"u8)).Message);
    }
}

/// <summary>The threshold, pinned on both sides against the shipped catalog.</summary>
public sealed class FieldNameMatcherTests
{
    private static readonly CatalogBundle s_bundle = FileCatalogSource.Shipped.LoadBundle();
    private static readonly FieldNameMatcher s_matcher = new(s_bundle.Catalog);

    [Fact]
    public void No_two_fields_of_the_shipped_catalog_near_match_except_where_they_share_a_name()
    {
        // Precision: at the threshold the matcher tells every pair of distinct fields apart, unless the catalog itself
        // gives both the same name or alias (then catalog check reports it, and the design check lists both).
        var conflicts = s_matcher.FindConflicts();

        Assert.All(conflicts, c => Assert.Equal(s_matcher.Normalise(c.Name), s_matcher.Normalise(c.OtherName)));
    }

    [Fact]
    public void The_threshold_sits_just_above_the_most_similar_distinct_fields()
    {
        var names = s_bundle.Catalog.Fields.SelectMany(f => f.Aliases.Prepend(f.Name).Select(n => (f.Id, Name: n, Key: s_matcher.Normalise(n)))).ToList();
        var highest = 0m;
        for (var i = 0; i < names.Count; i++)
        {
            for (var j = i + 1; j < names.Count; j++)
            {
                if (names[i].Id != names[j].Id && names[i].Key != names[j].Key)
                {
                    highest = Math.Max(highest, s_matcher.Score(names[i].Name, names[j].Name));
                }
            }
        }

        // Below the threshold, but not far: a lower threshold would flag fields of the one table as each other's duplicates.
        Assert.InRange(highest, 0.75m, FieldNameMatcher.NearMatchThreshold - 0.01m);
    }

    [Theory]
    [InlineData("户籍总人口", "pop_registered")]
    [InlineData("户籍人口数（人）", "pop_registered")]
    [InlineData("６０岁以上老人", "pop_age_60_plus")]
    [InlineData("救助热线受理（件）", "relief_hotline_calls")]
    [InlineData("农民人均可支配收入（元）", "rural_income_per_capita")]
    public void Common_renames_reach_the_threshold(string renamed, string fieldId)
    {
        var best = s_matcher.FindNear(renamed)[0];
        Assert.Equal(fieldId, best.FieldId);
        Assert.True(best.Score >= FieldNameMatcher.NearMatchThreshold);
    }

    [Theory]
    [InlineData("户籍人口（男）", "户籍人口（女）")]
    [InlineData("户籍人口", "户籍人口（男）")]
    [InlineData("60岁以上人口", "65岁以上人口")]
    [InlineData("城乡低保户数", "城乡低保人数")]
    [InlineData("退役军人就业人数", "退役军人就业率")]
    [InlineData("户籍迁入人口", "户籍迁出人口")]
    public void Names_that_contradict_each_other_never_match(string a, string b)
    {
        Assert.Equal(0m, s_matcher.Score(a, b));
    }

    [Fact]
    public void No_alias_or_name_of_the_shipped_catalog_names_two_fields()
    {
        var owners = s_bundle.Catalog.Fields
            .SelectMany(f => f.Aliases.Append(f.Name).Distinct().Select(text => (Text: text, f.Id)))
            .GroupBy(x => x.Text, StringComparer.Ordinal)
            .Where(g => g.Select(x => x.Id).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Id))}")
            .ToList();

        Assert.Empty(owners);
    }

    [Fact]
    public void Shipped_template_headers_that_reach_the_threshold_almost_always_name_their_own_field()
    {
        // Recall with few false hits: a shipped header matches nothing at the threshold, or its own field; a header
        // that means its field only through the report's title (就业/就业人数 in the veterans' report) may name
        // another, and such cases stay rare.
        var matched = 0;
        var wrong = 0;
        foreach (var column in s_bundle.Templates.SelectMany(t => t.Columns).Where(c => c.FieldId is not null))
        {
            var text = TemplateDesignCheck.PathOf(new ProposedColumn(column.Headers));
            var exact = s_matcher.FindExact(text).Select(m => m.Field.Id).ToList();
            var near = s_matcher.FindNear(text).Select(c => c.FieldId).ToList();
            var found = exact.Count > 0 ? exact : near;
            if (found.Count > 0)
            {
                matched++;
                wrong += found.Contains(column.FieldId!) ? 0 : 1;
            }
        }

        Assert.True(matched > 400, $"{matched}");
        Assert.True(wrong * 100 <= matched, $"{wrong} of {matched}");
    }
}
