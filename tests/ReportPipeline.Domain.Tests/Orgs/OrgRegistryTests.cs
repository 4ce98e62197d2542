using ReportPipeline.Domain.Orgs;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Domain.Tests.Orgs;

public sealed class OrgRegistryTests
{
    private static readonly Org City = new("500000000000", "重庆市", OrgLevel.City, null);
    private static readonly Org County = new("500229000000", "城口县", OrgLevel.District, "500000000000");
    private static readonly Org Town = new("500229100000", "巴山镇", OrgLevel.Township, "500229000000");
    private static readonly Org Village = new("500229100201", "坪上村", OrgLevel.Village, "500229100000");
    private static readonly Org Community = new("500229100001", "巴山社区", OrgLevel.Village, "500229100000");

    [Fact]
    public void The_sample_city_loads_with_one_county_three_townships_and_thirty_villages()
    {
        var registry = FileOrgRegistry.LoadSampleCity();

        Assert.Equal("500000000000", registry.Root.Code);
        Assert.Single(registry.ByLevel(OrgLevel.District));
        Assert.Equal(3, registry.ByLevel(OrgLevel.Township).Count);
        Assert.Equal(30, registry.Villages(registry.Root.Code).Count());
    }

    [Fact]
    public void Subtree_and_ancestor_queries_follow_the_tree_in_code_order()
    {
        var registry = new OrgRegistry([Village, Town, County, City, Community]);

        Assert.Equal([Town.Code, Community.Code, Village.Code], registry.Subtree(County.Code).Select(o => o.Code));
        Assert.Equal([County.Code, Town.Code, Community.Code, Village.Code], registry.Subtree(County.Code, includeSelf: true).Select(o => o.Code));
        Assert.Equal([Community.Code, Village.Code], registry.Children(Town.Code).Select(o => o.Code));
        Assert.Equal([Town.Code, County.Code, City.Code], registry.Ancestors(Village.Code).Select(o => o.Code));
        Assert.True(registry.IsInSubtree(County.Code, Village.Code));
        Assert.True(registry.IsInSubtree(Village.Code, Village.Code));
        Assert.False(registry.IsInSubtree(Village.Code, County.Code));
        Assert.Equal([Community.Code, Village.Code], registry.Villages(City.Code).Select(o => o.Code));
        Assert.Empty(registry.Children(Village.Code));
        Assert.True(registry.TryGet(Town.Code, out var town) && town.Name == "巴山镇");
        Assert.Throws<KeyNotFoundException>(() => registry.Get("500229999000"));
    }

    [Fact]
    public void Every_problem_in_an_org_list_is_reported()
    {
        var orgs = new[]
        {
            City,
            County,
            new Org("50022910000", "短代码镇", OrgLevel.Township, County.Code),
            new Org("500229101000", "层级错村", OrgLevel.Village, County.Code),
            new Org("500229102000", "孤儿镇", OrgLevel.Township, "500230000000"),
            new Org("500228103000", "错县镇", OrgLevel.Township, County.Code),
            new Org("500229000000", "重复县", OrgLevel.District, City.Code),
        };

        var error = Assert.Throws<OrgRegistryException>(() => new OrgRegistry(orgs));

        Assert.Contains(error.Problems, p => p.Contains("50022910000", StringComparison.Ordinal) && p.Contains("12 位", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("层级错村", StringComparison.Ordinal) && p.Contains("level does not match", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("孤儿镇", StringComparison.Ordinal) && p.Contains("unknown parent", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("错县镇", StringComparison.Ordinal) && p.Contains("matching code prefix", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("duplicate code", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cycle_of_parents_is_rejected()
    {
        var orgs = new[]
        {
            City,
            new Org("500229100000", "甲镇", OrgLevel.Township, "500229100200"),
            new Org("500229100200", "乙村", OrgLevel.Village, "500229100000"),
        };

        var error = Assert.Throws<OrgRegistryException>(() => new OrgRegistry(orgs));

        Assert.Contains(error.Problems, p => p.Contains("cycle", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("500000000000", OrgLevel.City)]
    [InlineData("513200000000", OrgLevel.City)]
    [InlineData("500229000000", OrgLevel.District)]
    [InlineData("500229104000", OrgLevel.Township)]
    [InlineData("500229104201", OrgLevel.Village)]
    public void The_level_follows_the_code_shape(string code, OrgLevel level)
    {
        Assert.Equal(level, OrgRegistry.LevelOf(code));
    }
}
