namespace ReportPipeline.Domain.Catalog;

/// <summary>
/// A department (部门) that owns fields of the one table and asks for templates built from it. <see cref="Code"/> is ASCII
/// and never changes (<c>mz</c> 民政局, <c>gaj</c> 公安局): templates, field owners and the <c>dept</c> claim of a token
/// name a department by it; <see cref="Name"/> is what people read.
/// </summary>
public sealed record Department(string Code, string Name);

/// <summary>The catalog's list of departments (<c>departments.json</c>), and the one place a code becomes a name.</summary>
public sealed class DepartmentDirectory
{
    private readonly Dictionary<string, Department> _byCode;

    public DepartmentDirectory(IReadOnlyList<Department> departments)
    {
        ArgumentNullException.ThrowIfNull(departments);
        All = departments;
        _byCode = new Dictionary<string, Department>(StringComparer.Ordinal);
        foreach (var department in departments)
        {
            _byCode.TryAdd(department.Code, department);
        }
    }

    public static DepartmentDirectory Empty { get; } = new([]);

    public IReadOnlyList<Department> All { get; }

    public Department? Find(string? code) => code is null ? null : _byCode.GetValueOrDefault(code);

    public bool Contains(string? code) => code is not null && _byCode.ContainsKey(code);

    /// <summary>The department's name; the code itself when the directory does not know it (a catalog built in code).</summary>
    public string NameOf(string code) => Find(code)?.Name ?? code;

    /// <summary>Several departments' names joined for a sentence: <c>公安局、统计局</c>.</summary>
    public string NamesOf(IEnumerable<string> codes) => string.Join("、", codes.Select(NameOf).Distinct(StringComparer.Ordinal));
}
