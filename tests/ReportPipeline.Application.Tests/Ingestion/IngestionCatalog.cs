using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Application.Tests.Ingestion;

/// <summary>
/// A few fields shaped like the real catalog's (ids, Chinese names, units, aliases), built by hand so that the parser
/// tests do not move when the published catalog is revised.
/// </summary>
internal static class IngestionCatalog
{
    public static FieldCatalog Create() => new(
        "test-1",
        [
            new FieldDefinition
            {
                Id = "households",
                Name = "户籍户数",
                Unit = "户",
                Type = FieldType.Integer,
                Group = "人口",
                Aliases = ["户数", "总户数"],
            },
            new FieldDefinition
            {
                Id = "population",
                Name = "户籍人口",
                Unit = "人",
                Type = FieldType.Integer,
                Group = "人口",
                Aliases = ["户籍人口数"],
            },
            new FieldDefinition
            {
                Id = "farmland_area",
                Name = "耕地面积",
                Unit = "亩",
                Type = FieldType.Decimal,
                Precision = 2,
                Group = "农业",
            },
            new FieldDefinition
            {
                Id = "committee_director",
                Name = "村委会主任",
                Type = FieldType.Text,
                Group = "党建",
            },
            new FieldDefinition
            {
                Id = "has_clinic",
                Name = "是否有卫生室",
                Type = FieldType.Boolean,
                Group = "卫生",
            },
        ],
        []);
}
