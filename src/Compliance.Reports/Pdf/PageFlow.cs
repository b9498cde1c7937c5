namespace Compliance.Reports.Pdf;

/// <summary>One line of a table cell or paragraph, in its own style.</summary>
internal readonly record struct StyledText(string Text, TextStyle Style, Rgb Color);

/// <summary>A column of a table: its heading and its share of the text width.</summary>
internal sealed record TableColumn(string Heading, double Share, bool AlignRight = false);

/// <summary>
/// Content flowing down pages: text and tables are placed below each other, and a new page starts when the next
/// piece does not fit. The page furniture (footers) is drawn afterwards, when the page count is known.
/// </summary>
internal sealed class PageFlow(IPdfCanvas canvas)
{
    public const double Margin = 48;
    private const double FooterSpace = 30;
    private const double CellPadding = 2.5;

    public static readonly TextStyle Body = new(Face.Sans, 9);
    public static readonly TextStyle BodyBold = new(Face.Bold, 9);
    public static readonly TextStyle Small = new(Face.Sans, 6.6);
    public static readonly TextStyle SmallBold = new(Face.Bold, 6.6);
    public static readonly TextStyle SmallMono = new(Face.Mono, 6.3);
    public static readonly Rgb Grey = new(90, 90, 90);
    public static readonly Rgb HeaderFill = new(225, 229, 235);
    public static readonly Rgb StripeFill = new(246, 247, 249);
    public static readonly Rgb RuleColor = new(170, 175, 185);

    public IPdfCanvas Canvas { get; } = canvas;
    public double Y { get; private set; }
    public double Left => Margin;
    public double Width => Canvas.PageWidth - 2 * Margin;
    private double Bottom => Canvas.PageHeight - Margin - FooterSpace;

    public void NewPage()
    {
        Canvas.AddPage();
        Y = Margin;
    }

    public void Space(double points) => Y = Math.Min(Y + points, Bottom);

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    public void Ensure(double height)
    {
        if (Y + height > Bottom)
            NewPage();
    }

    public void Heading(string text, double size = 14)
    {
        var style = new TextStyle(Face.Bold, size);
        Ensure(style.LineHeight * 3);   // a heading never ends a page alone
        Space(size * 0.4);
        Paragraph(text, style, Rgb.Black);
        Space(size * 0.25);
    }

    public void Paragraph(string text, TextStyle style, Rgb color, double indent = 0)
    {
        foreach (var line in TextWrap.Lines(Canvas, text, style, Width - indent))
        {
            Ensure(style.LineHeight);
            Canvas.DrawText(line, Left + indent, Y + style.Size, style, color);
            Y += style.LineHeight;
        }
    }

    /// <summary>A two-column table of labels and values, for the cover and the coverage figures.</summary>
    public void Facts(IEnumerable<(string Label, StyledText Value)> facts, double labelWidth = 135)
    {
        foreach (var (label, value) in facts)
        {
            var lines = TextWrap.Lines(Canvas, value.Text, value.Style, Width - labelWidth);
            double height = Math.Max(lines.Count * value.Style.LineHeight, BodyBold.LineHeight) + 4;
            Ensure(height);
            Canvas.DrawText(label, Left, Y + BodyBold.Size, BodyBold, Rgb.Black);
            double y = Y;
            foreach (var line in lines)
            {
                Canvas.DrawText(line, Left + labelWidth, y + value.Style.Size, value.Style, value.Color);
                y += value.Style.LineHeight;
            }
            Y += height;
        }
    }

    /// <summary>The width a table cell needs to hold <paramref name="text"/> on one line, padding included.</summary>
    public double CellWidthFor(string text, TextStyle style) => Canvas.Measure(text, style) + 2 * CellPadding + 1;

    /// <summary>Starts a table whose header row is repeated at the top of every page it runs onto.</summary>
    public Table BeginTable(IReadOnlyList<TableColumn> columns, TextStyle headerStyle) => new(this, columns, headerStyle);

    internal sealed class Table
    {
        private readonly PageFlow _flow;
        private readonly IReadOnlyList<TableColumn> _columns;
        private readonly double[] _widths;
        private readonly TextStyle _headerStyle;
        private int _rows;

        public Table(PageFlow flow, IReadOnlyList<TableColumn> columns, TextStyle headerStyle)
        {
            _flow = flow;
            _columns = columns;
            _headerStyle = headerStyle;
            double shares = columns.Sum(c => c.Share);
            _widths = columns.Select(c => flow.Width * c.Share / shares).ToArray();
            _flow.Ensure(headerStyle.LineHeight * 3 + 4 * CellPadding);
            DrawHeader();
        }

        /// <summary>
        /// A row, every cell in full: one that does not fit the rest of the page starts on the next, and one taller
        /// than a page runs on over as many as it needs (a path can be 4,096 bytes; none is cut short).
        /// </summary>
        public void AddRow(IReadOnlyList<IReadOnlyList<StyledText>> cells)
        {
            var laidOut = new List<(string Text, StyledText Source)>[cells.Count];
            double height = 0;
            for (int c = 0; c < cells.Count; c++)
            {
                laidOut[c] = [];
                foreach (var item in cells[c])
                {
                    foreach (var line in TextWrap.Lines(_flow.Canvas, item.Text, item.Style, _widths[c] - 2 * CellPadding))
                        laidOut[c].Add((line, item));
                }
                height = Math.Max(height, laidOut[c].Sum(line => line.Source.Style.LineHeight));
            }
            if (_flow.Y + height + 2 * CellPadding > _flow.Bottom)
                NewPageWithHeader();

            bool striped = _rows++ % 2 == 1;
            var next = new int[cells.Count];
            while (true)
            {
                // The lines of each cell that fit what is left of this page.
                double room = _flow.Bottom - _flow.Y - 2 * CellPadding;
                var take = new int[cells.Count];
                double used = 0;
                for (int c = 0; c < cells.Count; c++)
                {
                    double cellHeight = 0;
                    while (next[c] + take[c] < laidOut[c].Count && cellHeight + laidOut[c][next[c] + take[c]].Source.Style.LineHeight <= room)
                        cellHeight += laidOut[c][next[c] + take[c]++].Source.Style.LineHeight;
                    used = Math.Max(used, cellHeight);
                }
                DrawSegment(laidOut, next, take, used + 2 * CellPadding, striped);
                if (next.Select((line, c) => line < laidOut[c].Count).All(left => !left))
                    return;
                NewPageWithHeader();
            }
        }

        private void DrawSegment(List<(string Text, StyledText Source)>[] laidOut, int[] next, int[] take, double height, bool striped)
        {
            if (striped)
                _flow.Canvas.FillRectangle(_flow.Left, _flow.Y, _flow.Width, height, StripeFill);
            double x = _flow.Left;
            for (int c = 0; c < laidOut.Length; c++)
            {
                double y = _flow.Y + CellPadding;
                foreach (var (text, source) in laidOut[c].Skip(next[c]).Take(take[c]))
                {
                    double textX = _columns[c].AlignRight ? x + _widths[c] - CellPadding - _flow.Canvas.Measure(text, source.Style) : x + CellPadding;
                    _flow.Canvas.DrawText(text, textX, y + source.Style.Size, source.Style, source.Color);
                    y += source.Style.LineHeight;
                }
                next[c] += take[c];
                x += _widths[c];
            }
            _flow.Y += height;
            _flow.Canvas.DrawLine(_flow.Left, _flow.Y, _flow.Left + _flow.Width, _flow.Y, RuleColor, 0.3);
        }

        private void NewPageWithHeader()
        {
            _flow.NewPage();
            DrawHeader();
        }

        public void End() => _flow.Space(10);

        private void DrawHeader()
        {
            double height = _headerStyle.LineHeight + 2 * CellPadding;
            _flow.Canvas.FillRectangle(_flow.Left, _flow.Y, _flow.Width, height, HeaderFill);
            double x = _flow.Left;
            for (int c = 0; c < _columns.Count; c++)
            {
                var heading = _columns[c].Heading;
                double textX = _columns[c].AlignRight ? x + _widths[c] - CellPadding - _flow.Canvas.Measure(heading, _headerStyle) : x + CellPadding;
                _flow.Canvas.DrawText(heading, textX, _flow.Y + CellPadding + _headerStyle.Size, _headerStyle, Rgb.Black);
                x += _widths[c];
            }
            _flow.Y += height;
        }
    }
}
