using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Bro.Client.Generators.Internal;

/// <summary>
/// Where a diagnostic points, without the syntax tree a <see cref="Location"/> holds: keeping
/// trees in the pipeline's values would keep every old compilation alive and defeat its caching.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true, SourceTree: not null }
            ? new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span)
            : null;

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
