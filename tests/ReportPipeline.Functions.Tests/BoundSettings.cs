using System.Reflection;
using System.Runtime.Loader;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// The settings the code binds, found by reflection so that options classes added later are picked up: every type named
/// <c>*Options</c> in a ReportPipeline assembly with a <c>const string Section</c> contributes <c>Section__Property</c>
/// for each settable property, and every <c>const string *Setting</c> names a top-level setting. The storage connection
/// named by <see cref="TriggerBindings.StorageConnection"/> is bound by the storage client and the blob trigger.
/// </summary>
internal static class BoundSettings
{
    /// <summary>Identity-based connection settings (Functions' <c>Connection__*</c> convention) that Azure needs.</summary>
    public static readonly IReadOnlyList<string> IdentityConnectionSuffixes =
        ["blobServiceUri", "tableServiceUri", "queueServiceUri", "credential", "clientId"];

    /// <summary>Settings of the platform (Functions host, Application Insights), not of our options classes.</summary>
    public static bool IsPlatformSetting(string name) =>
        name is "FUNCTIONS_WORKER_RUNTIME" or "FUNCTIONS_EXTENSION_VERSION" or "AzureWebJobsStorage"
        || name.StartsWith("AzureWebJobsStorage__", StringComparison.Ordinal)
        || name.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)
        || name.StartsWith("WEBSITE_", StringComparison.Ordinal);

    public static string StorageConnection => TriggerBindings.StorageConnection;

    /// <summary>Storage connection settings Azure needs (identity-based, no keys).</summary>
    public static IEnumerable<string> StorageConnectionSettingsForAzure =>
        IdentityConnectionSuffixes.Select(suffix => $"{StorageConnection}__{suffix}");

    public static bool IsStorageConnectionSetting(string name) =>
        name == StorageConnection || StorageConnectionSettingsForAzure.Contains(name, StringComparer.Ordinal);

    /// <summary>Every setting bound by an options class, as <c>Section__Key</c>.</summary>
    public static IReadOnlyList<string> FromOptionsClasses() => s_fromOptions.Value;

    public static IReadOnlyList<Type> OptionsClasses() => s_optionsTypes.Value;

    private static readonly Lazy<IReadOnlyList<Type>> s_optionsTypes = new(FindOptionsTypes);
    private static readonly Lazy<IReadOnlyList<string>> s_fromOptions = new(() =>
        OptionsClasses().SelectMany(SettingsOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());

    private static List<Type> FindOptionsTypes()
    {
        var assemblies = Directory.EnumerateFiles(AppContext.BaseDirectory, "ReportPipeline.*.dll")
            .Where(path => !Path.GetFileName(path).Contains(".Tests", StringComparison.Ordinal))
            .Select(path => AssemblyLoadContext.Default.LoadFromAssemblyName(AssemblyName.GetAssemblyName(path)));

        return assemblies
            .SelectMany(LoadableTypes)
            .Where(type => type.IsClass && type.Name.EndsWith("Options", StringComparison.Ordinal))
            .Where(type => SectionOf(type) is not null || SettingConstants(type).Any())
            .OrderBy(type => type.FullName, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            return exception.Types.OfType<Type>();
        }
    }

    private static IEnumerable<string> SettingsOf(Type type)
    {
        foreach (var name in SettingConstants(type))
        {
            yield return name;
        }

        if (SectionOf(type) is { } section)
        {
            foreach (var key in KeysOf(type, section.Replace(":", "__", StringComparison.Ordinal), depth: 0))
            {
                yield return key;
            }
        }
    }

    private static string? SectionOf(Type type) =>
        type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? field.GetRawConstantValue() as string
            : null;

    private static IEnumerable<string> SettingConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string)
                            && field.Name.EndsWith("Setting", StringComparison.Ordinal))
            .Select(field => ((string)field.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal));

    private static IEnumerable<string> KeysOf(Type type, string prefix, int depth)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite && property.SetMethod!.IsPublic && property.GetIndexParameters().Length == 0);

        foreach (var property in properties)
        {
            var key = $"{prefix}__{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(propertyType))
            {
                yield return key;
            }
            else if (depth < 3 && propertyType.IsClass && !typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType))
            {
                foreach (var nested in KeysOf(propertyType, key, depth + 1))
                {
                    yield return nested;
                }
            }
            // Collections are bound by index (Key__0, Key__1…), which has no fixed name to check.
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(Guid);
}
