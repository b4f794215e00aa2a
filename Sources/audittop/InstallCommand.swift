import ArgumentParser
import AuditDashboard
import AuditSources
import Foundation

/// `audittop install`: puts this binary, the themes and shell completions under a prefix.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install this binary, Themes/ and shell completions under a prefix (default /usr/local).",
        discussion: """
            Writes PREFIX/bin/audittop, PREFIX/share/audittop/themes/*.yaml (where the installed \
            binary finds them from any folder), and completions for bash, zsh and fish under \
            PREFIX/share. Run it from the release build: swift build -c release && \
            sudo .build/release/audittop install
            """)

    @Option(help: "Where to install (the PREFIX environment variable, else /usr/local).")
    var prefix: String?

    func run() throws {
        let prefix = self.prefix ?? ProcessInfo.processInfo.environment["PREFIX"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local"
        let fm = FileManager.default
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // The themes this binary would load itself: the first folder holding the default.
        let library = ThemeLibrary.standard(configFolder: ConfigFile.folder())
        guard let themes = library.folders.dropFirst().first(where: { fm.fileExists(atPath: $0 + "/default.yaml") }) else {
            throw fail("no Themes/ folder found next to \(exe) or in the current folder; run it from the package")
        }
        let bin = prefix + "/bin"
        let share = prefix + "/share/audittop/themes"
        do {
            for folder in [bin, share] { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let target = bin + "/audittop"
            if (exe as NSString).standardizingPath != (target as NSString).standardizingPath {
                if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
                try fm.copyItem(atPath: exe, toPath: target)
                chmod(target, 0o755)
            }
            var copied: [String] = []
            for file in try fm.contentsOfDirectory(atPath: themes).sorted() where file.hasSuffix(".yaml") || file == "README.md" {
                let to = share + "/" + file
                if fm.fileExists(atPath: to) { try fm.removeItem(atPath: to) }
                try fm.copyItem(atPath: themes + "/" + file, toPath: to)
                copied.append(file)
            }
            let completions: [(CompletionShell, String)] = [
                (.bash, prefix + "/share/bash-completion/completions/audittop"),
                (.zsh, prefix + "/share/zsh/site-functions/_audittop"),
                (.fish, prefix + "/share/fish/vendor_completions.d/audittop.fish"),
            ]
            for (shell, path) in completions {
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Audittop.completionScript(for: shell).write(toFile: path, atomically: true, encoding: .utf8)
            }
            // The manual page, when `swift package generate-manual` has made one.
            let package = (themes as NSString).deletingLastPathComponent
            let manual = package + "/.build/plugins/GenerateManual/outputs/audittop/audittop.1"
            var manualNote = "no manual page (make one with: swift package --allow-writing-to-package-directory generate-manual)"
            if fm.fileExists(atPath: manual) {
                let man = prefix + "/share/man/man1"
                try fm.createDirectory(atPath: man, withIntermediateDirectories: true)
                if fm.fileExists(atPath: man + "/audittop.1") { try fm.removeItem(atPath: man + "/audittop.1") }
                try fm.copyItem(atPath: manual, toPath: man + "/audittop.1")
                manualNote = "installed \(man)/audittop.1"
            }
            print("installed \(target)")
            print("installed \(copied.count) theme files in \(share)")
            print("installed completions for bash, zsh and fish under \(prefix)/share")
            print(manualNote)
        } catch {
            throw fail("\(error.localizedDescription)")
        }
    }

    private func fail(_ message: String) -> any Error {
        FileHandle.standardError.write(Data("audittop: install: \(message)\n".utf8))
        return ExitCode(2)
    }
}
