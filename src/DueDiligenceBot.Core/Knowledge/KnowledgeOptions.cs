namespace DueDiligenceBot.Core.Knowledge;

public sealed class KnowledgeOptions
{
    public const string SectionName = "Knowledge";

    /// <summary>
    /// The knowledge folder (checklist, notes, crosswalk, synonyms). Empty: the <c>knowledge</c> folder found
    /// by walking up from the working directory, then from the app's own folder.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>The prompts folder. Empty: found like <see cref="Path"/>.</summary>
    public string PromptsPath { get; set; } = "";

    public static string Locate(string configured, string folderName, string marker)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = System.IO.Path.GetFullPath(configured);
            if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"Knowledge: the folder '{configured}' does not exist");
            return full;
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, folderName);
                if (File.Exists(System.IO.Path.Combine(candidate, marker))) return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"could not find the '{folderName}' folder (with {marker}) above {Directory.GetCurrentDirectory()}; set Knowledge:{(folderName == "prompts" ? "PromptsPath" : "Path")}");
    }
}
