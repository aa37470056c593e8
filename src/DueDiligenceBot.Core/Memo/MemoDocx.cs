using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace DueDiligenceBot.Core.Memo;

/// <summary>The memo as a Word document, for people who pass memos around as files.</summary>
public static class MemoDocx
{
    private const string Font = "Calibri";

    public static byte[] Render(MemoDocument m)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            AddStyles(main);
            doc.PackageProperties.Title = $"Risk memo: {m.Vendor}";
            doc.PackageProperties.Creator = "DueDiligenceBot";
            var body = new Body();
            main.Document = new Document(body);
            Write(body, m);
            body.Append(new SectionProperties(
                new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1134, Right = 1134, Header = 567, Footer = 567, Gutter = 0U }));
            main.Document.Save();
        }
        return stream.ToArray();
    }

    private static void Write(Body b, MemoDocument m)
    {
        b.Append(Heading($"Risk memo: {m.Vendor}", 1));
        b.Append(Para(MemoMarkdown.Header(m), color: "5B6475", size: 18));
        b.Append(RatingBox(m));
        if (m.Contributors.Count > 0) b.Append(Para($"Contributors: {string.Join("; ", m.Contributors)}", color: "5B6475", size: 18));

        b.Append(Heading("Summary", 2));
        b.Append(Para(m.Summary));
        b.Append(Para("The rating follows from:", bold: true));
        foreach (var r in m.RatingReasons) b.Append(Bullet(r));

        if (m.Profile.Count > 0)
        {
            b.Append(Heading("Service and data", 2));
            b.Append(Table(["Item", "Answer"], m.Profile.Select(p => new[] { p.Label, p.Value }), [30, 70]));
        }

        b.Append(Heading("Findings by structural gap", 2));
        if (!m.Findings.Any()) b.Append(Para("No flags were raised."));
        foreach (var g in m.Findings)
        {
            b.Append(Heading(g.Title, 3));
            foreach (var f in g.Findings)
            {
                var p = new Paragraph(new ParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "160", After = "60" }));
                p.Append(RunOf($"{f.Severity.Id().ToUpperInvariant()}  ", bold: true, color: SeverityColor(f.Severity)));
                p.Append(RunOf(f.Title, bold: true));
                p.Append(RunOf($"  ({f.Id})", color: "5B6475", size: 18));
                b.Append(p);
                if (f.Evidence.Count > 0)
                    b.Append(Table(["Evidence: question", "Answer", "Given by"],
                        f.Evidence.Select(e => new[] { e.Question, e.Answer, $"{e.By}, {e.Channel}, {e.At ?? "date unknown"}" }), [50, 22, 28]));
                b.Append(LabelPara("Why it matters: ", f.WhyItMatters));
                b.Append(LabelPara("Sources: ", string.Join("; ", f.Citations.Select(MemoMarkdown.CitationText))));
                b.Append(LabelPara(f.Audience == FollowUpAudience.Vendor ? "Ask the vendor: " : "Our action: ", f.FollowUp));
            }
        }

        b.Append(Heading("Coverage", 2));
        foreach (var t in m.Coverage)
        {
            b.Append(Heading(t.Title, 3));
            if (t.Note is not null) b.Append(Para(t.Note));
            if (t.Rows.Count > 0)
                b.Append(Table(["Item", "Answer", "Assessment"], t.Rows.Select(r => new[] { r.Item, r.Answer, r.Assessment }), [36, 34, 30],
                    shade: t.Rows.Select(r => r.Flagged ? "FDF1EF" : null).ToList()));
        }

        b.Append(Heading("Crosswalk: HIPAA Security Rule standards the SOC 2 scope evidences", 2));
        b.Append(Para(m.Crosswalk.Summary));
        if (m.Crosswalk.NotEvidenced.Count > 0)
        {
            b.Append(Para("Not evidenced by the SOC 2 scope:", bold: true));
            b.Append(Table(["HIPAA", "Standard or specification", "Needs"],
                m.Crosswalk.NotEvidenced.Select(l => new[] { l.Citation, $"{l.Title} ({l.Kind})", string.Join(", ", l.Missing) }), [24, 50, 26]));
        }
        if (m.Crosswalk.PartlyEvidenced.Count > 0)
        {
            b.Append(Para("Evidenced only in part:", bold: true));
            b.Append(Table(["HIPAA", "Standard or specification", "In scope", "Not in scope"],
                m.Crosswalk.PartlyEvidenced.Select(l => new[] { l.Citation, l.Title, string.Join(", ", l.InScope), string.Join(", ", l.Missing) }), [20, 40, 20, 20]));
        }
        if (m.Crosswalk.Applies && m.Crosswalk.HipaaOnly.Count > 0)
            b.Append(Para($"No SOC 2 counterpart (HIPAA-only): {string.Join("; ", m.Crosswalk.HipaaOnly.Select(l => $"{l.Citation} {l.Title}"))}.", color: "5B6475", size: 18));

        b.Append(Heading("Unanswered questions", 2));
        if (m.Open.Count == 0) b.Append(Para("None."));
        foreach (var o in m.Open)
            b.Append(Bullet($"{(o.Number is int n ? $"Q{n} " : "")}{o.Question} ({o.Status}{(o.Detail is null ? "" : " " + o.Detail)})"));

        b.Append(Heading("Dates to act on", 2));
        if (m.Dates.Count == 0) b.Append(Para("No dates recorded."));
        else
            b.Append(Table(["Date", "What", "Action"],
                m.Dates.Select(d => new[] { $"{d.Date:yyyy-MM-dd} ({MemoMarkdown.StatusText(d.Status)})", d.What, d.Action }), [22, 30, 48],
                shade: m.Dates.Select(d => d.Status == DueStatus.Overdue ? "FDF1EF" : d.Status == DueStatus.DueSoon ? "FFF9E8" : null).ToList()));

        b.Append(Heading("Previous review", 2));
        if (m.Changes is not { } c) b.Append(Para("This is the first review of this vendor."));
        else
        {
            b.Append(Para($"Review {c.PreviousReviewNumber} (as of {c.PreviousAsOf:yyyy-MM-dd}) was rated {c.PreviousRating.Id()}; decision: {c.PreviousDecision ?? "none"}."));
            b.Append(Para($"New flags: {(c.FlagsAdded.Count == 0 ? "none" : string.Join(", ", c.FlagsAdded))}. Cleared: {(c.FlagsRemoved.Count == 0 ? "none" : string.Join(", ", c.FlagsRemoved))}."));
            if (c.AnswersChanged.Count > 0)
                b.Append(Table(["Question", "Before", "Now"], c.AnswersChanged.Select(a => new[] { a.Question, a.Before, a.After }), [50, 25, 25]));
        }

        b.Append(Heading("Follow-up message to the vendor", 2));
        foreach (var line in m.FollowUpMessage.Split('\n'))
            b.Append(Para(line, mono: true, size: 19, after: "0"));

        b.Append(Heading("Appendix: every answer and its provenance", 2));
        b.Append(Table(["#", "Question", "Answer", "Given by"],
            m.Appendix.Select(a => new[] { a.Number?.ToString(CultureInfo.InvariantCulture) ?? "", a.Question, a.Earlier is null ? a.Answer : $"{a.Answer} (replaced: {a.Earlier})", $"{a.By}, {a.Channel}, {a.At}" }),
            [6, 48, 24, 22], size: 17));
    }

    private static Paragraph RatingBox(MemoDocument m)
    {
        var color = m.Rating switch
        {
            Rating.Critical => "8B0000",
            Rating.High => "C0392B",
            Rating.Moderate => "B9770E",
            _ => "1E7D45",
        };
        var p = new Paragraph(new ParagraphProperties(
            new ParagraphBorders(new LeftBorder { Val = BorderValues.Single, Size = 36, Color = color, Space = 8 }),
            new Shading { Val = ShadingPatternValues.Clear, Fill = "F2F4F7" },
            new SpacingBetweenLines { Before = "120", After = "120" },
            new Indentation { Left = "200" }));
        p.Append(RunOf($"Rating: {m.Rating.Id().ToUpperInvariant()}   ", bold: true, color: color, size: 26));
        p.Append(RunOf(m.Recommendation));
        return p;
    }

    private static string SeverityColor(FlagWeight w) => w switch
    {
        FlagWeight.Critical => "8B0000",
        FlagWeight.High => "C0392B",
        FlagWeight.Moderate => "B9770E",
        _ => "4A6FA5",
    };

    private static Paragraph Heading(string text, int level) =>
        new(new ParagraphProperties(new ParagraphStyleId { Val = $"Heading{level}" }, new KeepNext()), RunOf(text));

    private static Paragraph Para(string text, bool bold = false, string? color = null, int? size = null, bool mono = false, string after = "100")
    {
        // A bold line introduces a table: keep it with the table and clear of the one before.
        var p = new Paragraph(bold
            ? new ParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = "160", After = "60" })
            : new ParagraphProperties(new SpacingBetweenLines { After = after }));
        p.Append(RunOf(text, bold, color, size, mono));
        return p;
    }

    private static Paragraph LabelPara(string label, string text)
    {
        var p = new Paragraph(new ParagraphProperties(new SpacingBetweenLines { Before = "60", After = "40" }));
        p.Append(RunOf(label, bold: true));
        p.Append(RunOf(text));
        return p;
    }

    private static Paragraph Bullet(string text)
    {
        var p = new Paragraph(new ParagraphProperties(new Indentation { Left = "360", Hanging = "240" }, new SpacingBetweenLines { After = "40" }));
        p.Append(RunOf("•  " + text));
        return p;
    }

    private static Run RunOf(string text, bool bold = false, string? color = null, int? size = null, bool mono = false)
    {
        var props = new RunProperties();
        if (mono) props.Append(new RunFonts { Ascii = "Consolas", HighAnsi = "Consolas", ComplexScript = "Consolas" });
        if (bold) props.Append(new Bold());
        if (color is not null) props.Append(new Color { Val = color });
        if (size is int s) props.Append(new FontSize { Val = s.ToString(CultureInfo.InvariantCulture) });
        return new Run(props, new Text(Clean(text)) { Space = SpaceProcessingModeValues.Preserve });
    }

    // XML 1.0 cannot carry most control characters; answers are validated, but a memo must never fail to render.
    private static string Clean(string s) => new(s.Where(c => c is '\t' or '\n' or '\r' || !char.IsControl(c)).Select(c => c is '\n' or '\r' ? ' ' : c).ToArray());

    private static Table Table(string[] header, IEnumerable<string[]> rows, int[] widthsPercent, IReadOnlyList<string?>? shade = null, int size = 18)
    {
        const int total = 9638; // A4 width minus margins, in twentieths of a point
        var t = new Table(new TableProperties(
            new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
            new TableLayout { Type = TableLayoutValues.Fixed },
            new TableBorders(
                new TopBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" },
                new BottomBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" },
                new LeftBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" },
                new RightBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" },
                new InsideVerticalBorder { Val = BorderValues.Single, Size = 4, Color = "D9DEE7" }),
            new TableCellMarginDefault(
                new TopMargin { Width = "40", Type = TableWidthUnitValues.Dxa },
                new BottomMargin { Width = "40", Type = TableWidthUnitValues.Dxa },
                new TableCellLeftMargin { Width = 80, Type = TableWidthValues.Dxa },
                new TableCellRightMargin { Width = 80, Type = TableWidthValues.Dxa })));
        var grid = new TableGrid();
        foreach (var w in widthsPercent) grid.Append(new GridColumn { Width = (total * w / 100).ToString(CultureInfo.InvariantCulture) });
        t.Append(grid);
        t.Append(Row(header, widthsPercent, total, "F2F4F7", bold: true, size, isHeader: true));
        var i = 0;
        foreach (var r in rows)
        {
            t.Append(Row(r, widthsPercent, total, shade is not null && i < shade.Count ? shade[i] : null, bold: false, size, isHeader: false));
            i++;
        }
        return t;
    }

    private static TableRow Row(string[] cells, int[] widths, int total, string? fill, bool bold, int size, bool isHeader)
    {
        var row = new TableRow();
        var rp = new TableRowProperties(new CantSplit());
        if (isHeader) rp.Append(new TableHeader());
        row.Append(rp);
        for (var c = 0; c < cells.Length; c++)
        {
            var props = new TableCellProperties(new TableCellWidth { Width = (total * widths[c] / 100).ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa });
            if (fill is not null) props.Append(new Shading { Val = ShadingPatternValues.Clear, Fill = fill });
            var p = new Paragraph(new ParagraphProperties(new SpacingBetweenLines { After = "0" }), RunOf(cells[c], bold, size: size));
            row.Append(new TableCell(props, p));
        }
        return row;
    }

    private static void AddStyles(MainDocumentPart main)
    {
        var styles = main.AddNewPart<StyleDefinitionsPart>();
        styles.Styles = new Styles(
            new DocDefaults(
                new RunPropertiesDefault(new RunPropertiesBaseStyle(
                    new RunFonts { Ascii = Font, HighAnsi = Font, ComplexScript = Font, EastAsia = Font },
                    new FontSize { Val = "21" }, new Color { Val = "1D2433" })),
                new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "100", Line = "264", LineRule = LineSpacingRuleValues.Auto }))),
            new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true },
            HeadingStyle(1, 36, "1D2433", "0", "120"),
            HeadingStyle(2, 28, "1F4FA3", "360", "100"),
            HeadingStyle(3, 23, "1D2433", "240", "80"));
    }

    private static Style HeadingStyle(int level, int size, string color, string before, string after) =>
        new(new StyleName { Val = $"heading {level}" }, new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" }, new PrimaryStyle(),
            new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = before, After = after }, new OutlineLevel { Val = level - 1 }),
            new StyleRunProperties(new Bold(), new FontSize { Val = size.ToString(CultureInfo.InvariantCulture) }, new Color { Val = color }))
        { Type = StyleValues.Paragraph, StyleId = $"Heading{level}" };
}
