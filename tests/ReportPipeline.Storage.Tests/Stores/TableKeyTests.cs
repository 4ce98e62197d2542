using ReportPipeline.Storage.Stores;

namespace ReportPipeline.Storage.Tests.Stores;

public sealed class TableKeyTests
{
    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("line\nbreak\ttab")]
    [InlineData("tilde~0041")]
    [InlineData("石桥村'委会")]
    public void Escaping_makes_a_valid_key_that_unescapes_to_the_original(string text)
    {
        var key = TableKey.Escape(text);

        Assert.True(TableKey.IsValid(key));
        Assert.Equal(text, TableKey.Unescape(key));
    }
}
