using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReportPipeline.Domain.Catalog.Loading;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Domain.Catalog;

/// <summary>
/// Parses one catalog version from its documents (<see cref="CatalogLayout"/>): <c>catalog.json</c> (version),
/// <c>fields/*.json</c> (one document per domain group), <c>rules.json</c> (cross-field rules) and
/// <c>templates/*.json</c> (one document per department template). Every problem in every document is collected
/// before failing, so that one run shows the whole list. Where the documents come from is a source's business
/// (<see cref="ICatalogSource"/>).
/// </summary>
public static partial class CatalogLoader
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Asks <paramref name="source"/> for the version in force for <paramref name="period"/> (null: the newest) and parses it.</summary>
    /// <exception cref="CatalogLoadException">With every problem found.</exception>
    public static async Task<CatalogBundle> LoadAsync(ICatalogSource source, Period? period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var version = await source.GetVersionAsync(period, cancellationToken).ConfigureAwait(false);
        return Load(await source.LoadAsync(version, cancellationToken).ConfigureAwait(false));
    }

    /// <exception cref="CatalogLoadException">With every problem found.</exception>
    public static CatalogBundle Load(CatalogDocumentSet documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var problems = new List<CatalogProblem>();
        var byName = new Dictionary<string, CatalogDocument>(StringComparer.Ordinal);
        foreach (var document in documents.Documents)
        {
            byName.TryAdd(document.Name, document);
        }

        var version = ReadVersion(byName, problems);
        var departments = ReadDepartments(byName, problems);
        var fieldDocuments = ReadFieldFiles(documents.Documents, problems);
        var ruleDocuments = ReadRules(byName, problems);
        var templateDocuments = ReadTemplates(documents.Documents, problems);

        var fields = BuildFields(fieldDocuments, departments, problems);
        var byId = new Dictionary<string, FieldDefinition>(StringComparer.Ordinal);
        foreach (var (_, field) in fields)
        {
            byId.TryAdd(field.Id, field);
        }

        CheckDerivedExpressions(fields, byId, problems);
        var rules = BuildRules(ruleDocuments, byId, problems);
        var templates = BuildTemplates(templateDocuments, byId, departments, problems);

        if (problems.Count > 0)
        {
            throw new CatalogLoadException(problems);
        }

        var catalog = new FieldCatalog(version!, [.. fields.Select(f => f.Field)], rules, departments);
        return new CatalogBundle(catalog, templates);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\d{4}\.\d{1,2}\.\d{1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    internal static string? CheckId(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return $"缺少{what}编号 (missing id)";
        }

        if (!IdPattern().IsMatch(id))
        {
            return id.Any(c => c > 127)
                ? $"{what}编号“{id}”含非 ASCII 字符，编号只能用小写字母、数字和下划线 (id must be ASCII: a-z, 0-9, _)"
                : $"{what}编号“{id}”格式不正确，应以小写字母开头，只含小写字母、数字和下划线，最长 64 位 (malformed id)";
        }

        return null;
    }

    private static string? ReadVersion(Dictionary<string, CatalogDocument> byName, List<CatalogProblem> problems)
    {
        const string file = CatalogLayout.Manifest;
        var manifest = ReadJson<CatalogManifestDocument>(byName.GetValueOrDefault(file), file, problems, required: true);
        if (manifest is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(manifest.Version))
        {
            problems.Add(new CatalogProblem(file, null, "缺少版本号 version (missing version)"));
            return null;
        }

        if (!VersionPattern().IsMatch(manifest.Version))
        {
            problems.Add(new CatalogProblem(file, null, $"版本号“{manifest.Version}”格式应为 年.月.序号，如 2026.11.1 (version must look like 2026.11.1)"));
        }

        return manifest.Version;
    }

    private static DepartmentDirectory ReadDepartments(Dictionary<string, CatalogDocument> byName, List<CatalogProblem> problems)
    {
        const string file = CatalogLayout.Departments;
        var document = ReadJson<DepartmentFileDocument>(byName.GetValueOrDefault(file), file, problems, required: false);
        var result = new List<Department>();
        if (document?.Departments is null)
        {
            return DepartmentDirectory.Empty;
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < document.Departments.Count; i++)
        {
            var d = document.Departments[i];
            var item = d?.Code ?? Index(i);
            var before = problems.Count;
            void Problem(string message) => problems.Add(new CatalogProblem(file, item, message));
            if (d is null)
            {
                Problem("部门为空 (null department)");
                continue;
            }

            if (CheckId(d.Code, "部门") is { } codeProblem)
            {
                Problem(codeProblem);
            }
            else if (!codes.Add(d.Code!))
            {
                Problem("部门编号重复 (duplicate department code)");
            }

            if (string.IsNullOrWhiteSpace(d.Name))
            {
                Problem("缺少部门名称 name (missing name)");
            }
            else if (!names.Add(d.Name.Trim()))
            {
                Problem($"部门名称“{d.Name.Trim()}”重复 (duplicate department name)");
            }

            if (problems.Count == before)
            {
                result.Add(new Department(d.Code!, d.Name!.Trim()));
            }
        }

        return new DepartmentDirectory(result);
    }

    /// <summary>The problem with a department reference, or null when the directory knows the code.</summary>
    private static string? CheckDepartment(string code, DepartmentDirectory departments) =>
        departments.Contains(code)
            ? null
            : $"部门编号“{code}”不在部门名录 {CatalogLayout.Departments} 中 (unknown department code '{code}')";

    private static List<(string File, string Group, FieldDocument Field)> ReadFieldFiles(IReadOnlyList<CatalogDocument> documents, List<CatalogProblem> problems)
    {
        var result = new List<(string, string, FieldDocument)>();
        var files = CatalogLayout.In(documents, CatalogLayout.FieldsFolder);
        if (files.Count == 0)
        {
            problems.Add(new CatalogProblem("fields/", null, "没有字段文件 (no field files in fields/)"));
        }

        foreach (var source in files)
        {
            var file = source.Name;
            var document = ReadJson<FieldFileDocument>(source, file, problems, required: true);
            if (document is null)
            {
                continue;
            }

            if (document.Fields is null || document.Fields.Count == 0)
            {
                problems.Add(new CatalogProblem(file, null, "文件中没有字段 fields (no fields)"));
                continue;
            }

            for (var i = 0; i < document.Fields.Count; i++)
            {
                var field = document.Fields[i];
                if (field is null)
                {
                    problems.Add(new CatalogProblem(file, Index(i), "字段为空 (null field)"));
                    continue;
                }

                var group = field.Group ?? document.Group;
                if (string.IsNullOrWhiteSpace(group))
                {
                    problems.Add(new CatalogProblem(file, field.Id ?? Index(i), "缺少领域分组 group (missing group)"));
                    group = "";
                }

                result.Add((file, group, field));
            }
        }

        return result;
    }

    private static List<(string File, RuleDocument Rule)> ReadRules(Dictionary<string, CatalogDocument> byName, List<CatalogProblem> problems)
    {
        const string file = CatalogLayout.Rules;
        var document = ReadJson<RuleFileDocument>(byName.GetValueOrDefault(file), file, problems, required: false);
        var result = new List<(string, RuleDocument)>();
        if (document?.Rules is null)
        {
            return result;
        }

        for (var i = 0; i < document.Rules.Count; i++)
        {
            if (document.Rules[i] is { } rule)
            {
                result.Add((file, rule));
            }
            else
            {
                problems.Add(new CatalogProblem(file, Index(i), "规则为空 (null rule)"));
            }
        }

        return result;
    }

    private static List<(string File, TemplateDocument Template)> ReadTemplates(IReadOnlyList<CatalogDocument> documents, List<CatalogProblem> problems)
    {
        var result = new List<(string, TemplateDocument)>();
        foreach (var source in CatalogLayout.In(documents, CatalogLayout.TemplatesFolder))
        {
            if (ReadJson<TemplateDocument>(source, source.Name, problems, required: true) is { } template)
            {
                result.Add((source.Name, template));
            }
        }

        return result;
    }

    private static List<(string File, FieldDefinition Field)> BuildFields(
        List<(string File, string Group, FieldDocument Field)> documents, DepartmentDirectory departments, List<CatalogProblem> problems)
    {
        var result = new List<(string, FieldDefinition)>();
        var firstFile = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, group, d) in documents)
        {
            var item = d.Id ?? "?";
            var before = problems.Count;
            void Problem(string message) => problems.Add(new CatalogProblem(file, item, message));

            if (CheckId(d.Id, "字段") is { } idProblem)
            {
                Problem(idProblem);
            }
            else if (!firstFile.TryAdd(d.Id!, file))
            {
                Problem($"字段编号重复，已在 {firstFile[d.Id!]} 中定义 (duplicate field id, first defined in {firstFile[d.Id!]})");
            }

            if (string.IsNullOrWhiteSpace(d.Name))
            {
                Problem("缺少中文名称 name (missing name)");
            }

            foreach (var department in d.Departments ?? [])
            {
                if (CheckDepartment(department, departments) is { } departmentProblem)
                {
                    Problem(departmentProblem);
                }
            }

            var type = ParseEnum<FieldType>(d.Type, "type", "类型", Problem);
            var source = d.Source is null ? FieldSource.Typed : ParseEnum<FieldSource>(d.Source, "source", "来源", Problem);
            var frequency = d.Frequency is null ? PeriodKind.Month : ParseEnum<PeriodKind>(d.Frequency, "frequency", "频次", Problem);

            if (d.Precision is { } precision)
            {
                if (type is not FieldType.Decimal)
                {
                    Problem($"只有小数类型可以设置小数位数 precision，此字段类型为 {d.Type} (precision on a non-decimal field)");
                }
                else if (precision is < 0 or > 6)
                {
                    Problem($"小数位数 precision 应在 0 到 6 之间，收到 {precision} (precision out of range)");
                }
            }
            else if (type is FieldType.Decimal)
            {
                Problem("小数类型必须设置小数位数 precision (decimal field without precision)");
            }

            if (d.Min is { } min && d.Max is { } max && min > max)
            {
                Problem(string.Create(CultureInfo.InvariantCulture, $"最小值 {min} 大于最大值 {max} (min > max)"));
            }

            if ((d.Min is not null || d.Max is not null) && type is not (FieldType.Integer or FieldType.Decimal or null))
            {
                Problem("只有数值类型可以设置 min/max (range on a non-numeric field)");
            }

            var maxChange = CheckQuality(d, type, Problem);
            var options = BuildOptions(d, type, Problem);

            if (d.MaxLength is { } maxLength && (type is not FieldType.Text || maxLength < 1))
            {
                Problem("maxLength 只能用于文本类型且须大于 0 (maxLength only for text fields, > 0)");
            }

            if (source is FieldSource.Derived)
            {
                if (string.IsNullOrWhiteSpace(d.Expression))
                {
                    Problem("派生字段必须有表达式 expression (derived field without expression)");
                }

                if (type is not (FieldType.Integer or FieldType.Decimal or null))
                {
                    Problem("派生字段必须是数值类型 (derived field must be numeric)");
                }

                if (d.Required)
                {
                    Problem("派生字段不能设为必填 (derived field cannot be required)");
                }
            }
            else if (d.Expression is not null)
            {
                Problem("只有派生字段 source=derived 可以有表达式 (expression on a non-derived field)");
            }

            if (problems.Count > before || type is null || source is null || frequency is null)
            {
                continue;
            }

            result.Add((file, new FieldDefinition
            {
                Id = d.Id!,
                Name = d.Name!.Trim(),
                Unit = string.IsNullOrWhiteSpace(d.Unit) ? null : d.Unit.Trim(),
                Type = type.Value,
                Precision = d.Precision ?? 0,
                Required = d.Required,
                Min = d.Min,
                Max = d.Max,
                MaxLength = d.MaxLength ?? FieldDefinition.DefaultTextMaxLength,
                Options = options,
                Group = group,
                Departments = d.Departments ?? [],
                Source = source.Value,
                Frequency = frequency.Value,
                CarryForward = d.CarryForward,
                Aliases = d.Aliases ?? [],
                Description = d.Description,
                Expression = d.Expression,
                ExpectedMin = d.ExpectedMin,
                ExpectedMax = d.ExpectedMax,
                MaxChange = maxChange,
            }));
        }

        return result;
    }

    /// <summary>The soft range and change threshold of a field (数据质量): numeric fields only, inside the hard range.</summary>
    private static ChangeThreshold? CheckQuality(FieldDocument d, FieldType? type, Action<string> problem)
    {
        var numeric = type is FieldType.Integer or FieldType.Decimal or null;
        if ((d.ExpectedMin is not null || d.ExpectedMax is not null || d.MaxChange is not null) && !numeric)
        {
            problem("只有数值类型可以设置 expectedMin/expectedMax/maxChange (quality checks on a non-numeric field)");
        }

        if (d.ExpectedMin is { } low && d.ExpectedMax is { } high && low > high)
        {
            problem(string.Create(CultureInfo.InvariantCulture, $"合理范围下限 expectedMin {low} 大于上限 expectedMax {high} (expectedMin > expectedMax)"));
        }

        foreach (var (name, bound) in new[] { ("expectedMin", d.ExpectedMin), ("expectedMax", d.ExpectedMax) })
        {
            if (bound is { } b && ((d.Min is { } min && b < min) || (d.Max is { } max && b > max)))
            {
                problem(string.Create(CultureInfo.InvariantCulture, $"合理范围 {name} {b} 超出了取值范围 min/max (soft bound {name} outside min/max)"));
            }
        }

        if (d.MaxChange is not { } change)
        {
            return null;
        }

        if ((change.Relative is null) == (change.Absolute is null))
        {
            problem("maxChange 须且只须给出 relative（相对变化，如 0.5）或 absolute（绝对变化）之一 (maxChange needs exactly one of relative/absolute)");
            return null;
        }

        if (change.Relative is { } relative && relative <= 0)
        {
            problem(string.Create(CultureInfo.InvariantCulture, $"maxChange.relative 应大于 0，收到 {relative} (relative change must be > 0)"));
            return null;
        }

        if (change.Absolute is { } absolute && absolute <= 0)
        {
            problem(string.Create(CultureInfo.InvariantCulture, $"maxChange.absolute 应大于 0，收到 {absolute} (absolute change must be > 0)"));
            return null;
        }

        return new ChangeThreshold(change.Relative, change.Absolute);
    }

    private static List<EnumOption> BuildOptions(FieldDocument d, FieldType? type, Action<string> problem)
    {
        var options = new List<EnumOption>();
        if (type is FieldType.Enum)
        {
            if (d.Options is null || d.Options.Count == 0)
            {
                problem("枚举字段没有选项 options (enum without options)");
                return options;
            }

            var codes = new HashSet<string>(StringComparer.Ordinal);
            var labels = new HashSet<string>(StringComparer.Ordinal);
            foreach (var option in d.Options)
            {
                if (option is null || string.IsNullOrWhiteSpace(option.Code) || string.IsNullOrWhiteSpace(option.Label))
                {
                    problem("枚举选项缺少 code 或 label (option without code or label)");
                    continue;
                }

                if (!codes.Add(option.Code) || !labels.Add(option.Label))
                {
                    problem($"枚举选项“{option.Code}/{option.Label}”重复 (duplicate option)");
                }

                options.Add(new EnumOption(option.Code, option.Label));
            }
        }
        else if (d.Options is { Count: > 0 })
        {
            problem("只有枚举类型可以有选项 options (options on a non-enum field)");
        }

        return options;
    }

    private static void CheckDerivedExpressions(
        List<(string File, FieldDefinition Field)> fields, Dictionary<string, FieldDefinition> byId, List<CatalogProblem> problems)
    {
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (file, field) in fields.Where(f => f.Field.Source is FieldSource.Derived))
        {
            if (!ColumnExpression.TryParse(field.Expression, out var expression, out var error))
            {
                problems.Add(new CatalogProblem(file, field.Id, error!));
                continue;
            }

            var ids = expression!.FieldIds().ToList();
            references[field.Id] = ids;
            foreach (var id in ids)
            {
                if (!byId.TryGetValue(id, out var referenced))
                {
                    problems.Add(new CatalogProblem(file, field.Id, $"表达式引用了不存在的字段“{id}” (unknown field '{id}' in expression)"));
                }
                else if (!referenced.IsNumeric)
                {
                    problems.Add(new CatalogProblem(file, field.Id, $"表达式引用的字段“{id}”不是数值类型 (field '{id}' in expression is not numeric)"));
                }
            }
        }

        // A derived field that depends on itself, directly or through others, could never be computed.
        foreach (var (file, field) in fields.Where(f => references.ContainsKey(f.Field.Id)))
        {
            if (ReachesItself(field.Id, references))
            {
                problems.Add(new CatalogProblem(file, field.Id, "派生字段的表达式循环引用了自身 (derived field depends on itself)"));
            }
        }
    }

    private static bool ReachesItself(string start, Dictionary<string, IReadOnlyList<string>> references)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(references[start]);
        while (pending.TryPop(out var id))
        {
            if (id == start)
            {
                return true;
            }

            if (seen.Add(id) && references.TryGetValue(id, out var next))
            {
                foreach (var n in next)
                {
                    pending.Push(n);
                }
            }
        }

        return false;
    }

    private static List<CrossFieldRule> BuildRules(
        List<(string File, RuleDocument Rule)> documents, Dictionary<string, FieldDefinition> byId, List<CatalogProblem> problems)
    {
        var result = new List<CrossFieldRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, d) in documents)
        {
            var item = d.Id ?? "?";
            var before = problems.Count;
            void Problem(string message) => problems.Add(new CatalogProblem(file, item, message));

            if (CheckId(d.Id, "规则") is { } idProblem)
            {
                Problem(idProblem);
            }
            else if (!ids.Add(d.Id!))
            {
                Problem("规则编号重复 (duplicate rule id)");
            }

            var kind = ParseEnum<CrossFieldRuleKind>(d.Kind, "kind", "规则类型", Problem);
            var others = d.Others ?? [];
            foreach (var id in new[] { d.Field }.Concat(others))
            {
                if (string.IsNullOrWhiteSpace(id))
                {
                    Problem("规则缺少字段 field/others (missing field reference)");
                }
                else if (!byId.TryGetValue(id, out var field))
                {
                    Problem($"规则引用了不存在的字段“{id}” (unknown field '{id}')");
                }
                else if (!field.IsNumeric)
                {
                    Problem($"规则引用的字段“{id}”不是数值类型 (field '{id}' is not numeric)");
                }
            }

            if (others.Count == 0)
            {
                Problem("规则缺少 others (rule without parts or denominator)");
            }

            if (kind is CrossFieldRuleKind.RatioWithin)
            {
                if (others.Count > 1)
                {
                    Problem("比例规则只能有一个分母 (ratio rule takes one denominator)");
                }

                if (d.Min is null && d.Max is null)
                {
                    Problem("比例规则须设置 min 或 max (ratio rule without bounds)");
                }
            }
            else if (kind is not null && (d.Min is not null || d.Max is not null))
            {
                Problem("只有比例规则可以设置 min/max (bounds on a non-ratio rule)");
            }

            if (d.Min is { } min && d.Max is { } max && min > max)
            {
                Problem(string.Create(CultureInfo.InvariantCulture, $"最小值 {min} 大于最大值 {max} (min > max)"));
            }

            if (problems.Count > before || kind is null)
            {
                continue;
            }

            result.Add(new CrossFieldRule
            {
                Id = d.Id!,
                Kind = kind.Value,
                Field = d.Field!,
                Others = others,
                Min = d.Min,
                Max = d.Max,
                Message = d.Message,
            });
        }

        return result;
    }

    private static List<ReportTemplate> BuildTemplates(
        List<(string File, TemplateDocument Template)> documents, Dictionary<string, FieldDefinition> byId, DepartmentDirectory departments,
        List<CatalogProblem> problems)
    {
        var result = new List<ReportTemplate>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, d) in documents)
        {
            var item = d.Id ?? "?";
            var before = problems.Count;
            void Problem(string message) => problems.Add(new CatalogProblem(file, item, message));

            if (CheckId(d.Id, "报表") is { } idProblem)
            {
                Problem(idProblem);
            }
            else if (!ids.TryAdd(d.Id!, file))
            {
                Problem($"报表编号重复，已在 {ids[d.Id!]} 中定义 (duplicate template id)");
            }

            if (string.IsNullOrWhiteSpace(d.Department))
            {
                Problem("缺少部门 department (missing department)");
            }
            else if (CheckDepartment(d.Department.Trim(), departments) is { } departmentProblem)
            {
                Problem(departmentProblem);
            }

            if (string.IsNullOrWhiteSpace(d.Title))
            {
                Problem("缺少报表名称 title (missing title)");
            }

            var periodKind = ParseEnum<PeriodKind>(d.PeriodKind, "periodKind", "报告期类型", Problem);
            var levels = new List<OrgLevel>();
            if (d.AudienceLevels is null || d.AudienceLevels.Count == 0)
            {
                Problem("缺少接收层级 audienceLevels (no audience levels)");
            }
            else
            {
                foreach (var level in d.AudienceLevels)
                {
                    if (ParseEnum<OrgLevel>(level, "audienceLevels", "接收层级", Problem) is { } parsed)
                    {
                        if (parsed is OrgLevel.Village)
                        {
                            Problem("村级不能作为汇总接收层级 (village cannot be an audience level)");
                        }
                        else if (!levels.Contains(parsed))
                        {
                            levels.Add(parsed);
                        }
                    }
                }
            }

            if (d.DeadlineDays is < 0 or > 366)
            {
                Problem("报送期限 deadlineDays 应在 0 到 366 天之间 (deadlineDays out of range)");
            }

            var columns = BuildColumns(file, d, periodKind, byId, problems);

            if (problems.Count > before || periodKind is null)
            {
                continue;
            }

            result.Add(new ReportTemplate
            {
                Id = d.Id!,
                Department = d.Department!.Trim(),
                DepartmentName = departments.NameOf(d.Department!.Trim()),
                Title = d.Title!.Trim(),
                PeriodKind = periodKind.Value,
                AudienceLevels = levels,
                Columns = columns,
                DeadlineDays = d.DeadlineDays ?? 5,
                Description = d.Description,
            });
        }

        return result;
    }

    private static List<TemplateColumn> BuildColumns(
        string file, TemplateDocument template, PeriodKind? periodKind, Dictionary<string, FieldDefinition> byId, List<CatalogProblem> problems)
    {
        var columns = new List<TemplateColumn>();
        if (template.Columns is null || template.Columns.Count == 0)
        {
            problems.Add(new CatalogProblem(file, template.Id ?? "?", "报表没有列 columns (template without columns)"));
            return columns;
        }

        var columnIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Columns.Count; i++)
        {
            var c = template.Columns[i];
            var item = $"{template.Id}/{c?.Id ?? c?.Field ?? Index(i)}";
            void Problem(string message) => problems.Add(new CatalogProblem(file, item, message));
            if (c is null)
            {
                Problem("列为空 (null column)");
                continue;
            }

            var id = c.Id ?? c.Field ?? string.Create(CultureInfo.InvariantCulture, $"c{i + 1}");
            if (CheckId(id, "列") is { } idProblem)
            {
                Problem(idProblem);
            }
            else if (!columnIds.Add(id))
            {
                Problem($"列编号“{id}”重复 (duplicate column id)");
            }

            if (c.Headers is null || c.Headers.Count == 0 || c.Headers.Any(string.IsNullOrWhiteSpace))
            {
                Problem("列缺少表头文字 headers (missing header text)");
            }

            ColumnExpression? expression = null;
            IEnumerable<string> referenced = [];
            if ((c.Field is null) == (c.Expression is null))
            {
                Problem("列必须且只能有 field 或 expression 之一 (a column needs exactly one of field or expression)");
            }
            else if (c.Field is not null)
            {
                referenced = [c.Field];
            }
            else if (ColumnExpression.TryParse(c.Expression, out expression, out var error))
            {
                referenced = expression!.FieldIds();
            }
            else
            {
                Problem(error!);
            }

            foreach (var problem in TemplateColumnRules.Problems(referenced, expression is not null, periodKind, byId.GetValueOrDefault))
            {
                Problem(problem);
            }

            FieldDefinition? single = c.Field is null ? null : byId.GetValueOrDefault(c.Field);
            columns.Add(new TemplateColumn
            {
                Id = id,
                Headers = c.Headers ?? [],
                NumberFormat = c.NumberFormat ?? DefaultNumberFormat(single, expression),
                FieldId = c.Field,
                Expression = expression,
                Unit = c.Unit ?? single?.Unit ?? (expression is ColumnExpression.Ratio { Scale: 100m } ? "%" : null),
            });
        }

        return columns;
    }

    private static string DefaultNumberFormat(FieldDefinition? field, ColumnExpression? expression) => (field, expression) switch
    {
        (_, ColumnExpression.Ratio { Scale: 100m }) => "0.00",
        (_, ColumnExpression.Ratio) => "0.0000",
        ({ Type: FieldType.Decimal, Precision: > 0 } f, _) => "#,##0." + new string('0', f.Precision),
        ({ Type: FieldType.Integer or FieldType.Decimal }, _) => "#,##0",
        ({ Type: FieldType.Date }, _) => "yyyy-mm-dd",
        ({ }, _) => "@",
        _ => "#,##0",
    };


    private static T? ParseEnum<T>(string? text, string property, string chinese, Action<string> problem)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problem($"缺少{chinese} {property} (missing {property})");
            return null;
        }

        if (Enum.TryParse<T>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0]))
        {
            return value;
        }

        var allowed = string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
        problem($"{chinese} {property} 的值“{text}”无效，可用：{allowed} (invalid {property})");
        return null;
    }

    internal static T? ReadJson<T>(CatalogDocument? source, string file, List<CatalogProblem> problems, bool required)
        where T : class
    {
        if (source is null)
        {
            if (required)
            {
                problems.Add(new CatalogProblem(file, null, "文件不存在 (file not found)"));
            }

            return null;
        }

        try
        {
            // Through a stream, as from a file, so that a byte order mark is skipped the same way.
            using var stream = new MemoryStream(source.Json.ToArray(), writable: false);
            var document = JsonSerializer.Deserialize<T>(stream, JsonOptions);
            if (document is null)
            {
                problems.Add(new CatalogProblem(file, null, "文件内容为空 (empty document)"));
            }

            return document;
        }
        catch (JsonException ex)
        {
            problems.Add(new CatalogProblem(file, null, $"JSON 格式错误，第 {ex.LineNumber + 1} 行 (invalid JSON): {ex.Message}"));
            return null;
        }
    }

    private static string Index(int i) => string.Create(CultureInfo.InvariantCulture, $"#{i + 1}");
}
