using System.Globalization;

namespace ReportPipeline.Storage.Client;

/// <summary>
/// Builds OData <c>$filter</c> expressions with every value escaped, so a quote in a value cannot change the query.
/// <c>TableFilter.Create($"PartitionKey eq {pk} and RowKey ge {rk}")</c>.
/// </summary>
public static class TableFilter
{
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var arguments = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, arguments);
    }

    public static string Equal(string property, object value) => $"{Property(property)} eq {Literal(value)}";

    public static string And(params string[] filters) => string.Join(" and ", filters.Select(f => "(" + f + ")"));

    public static string Or(params string[] filters) => string.Join(" or ", filters.Select(f => "(" + f + ")"));

    /// <summary>Rows whose key starts with <paramref name="prefix"/> (a range on the ordinal order of keys).</summary>
    public static string KeyPrefix(string property, string prefix)
        => $"{Property(property)} ge {Literal(prefix)} and {Property(property)} lt {Literal(prefix + '\uffff')}";

    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var text && (text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal)) ? text : text + ".0",
        DateTimeOffset dto => "datetime'" + dto.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) + "'",
        DateTime dt => Literal(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)),
        Guid g => "guid'" + g.ToString("D", CultureInfo.InvariantCulture) + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes) + "'",
        _ => throw new ArgumentException($"Type {value.GetType().Name} cannot be used in a table filter.", nameof(value)),
    };

    private static string Property(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"“{name}”不是合法的属性名。", nameof(name));
        }
        return name;
    }
}
