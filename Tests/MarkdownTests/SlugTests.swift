import Markdown
import Testing

@Suite struct SlugTests {
    @Test(arguments: [
        ("Memória virtual é mentira", "memoria-virtual-e-mentira"),
        ("Ação, reação & coração!", "acao-reacao-coracao"),
        ("  Espaços   demais  ", "espacos-demais"),
        ("fork() e exec()", "fork-e-exec"),
        ("io_uring no Linux 5.1", "io_uring-no-linux-51"),
        ("ÀÉÎÕÜ Çç ñ ß æ œ", "aeiou-cc-n-ss-ae-oe"),
        ("hífen-já-existente", "hifen-ja-existente"),
        ("<script>alert(\"x\")</script>", "scriptalertxscript"),
        ("../../etc/passwd", "etcpasswd"),
        ("日本語", ""),
        ("", ""),
    ])
    func slugs(input: String, expected: String) {
        #expect(Slug.make(input) == expected)
    }

    @Test func escapesHTML() {
        #expect(HTML.escape("<a href=\"x\">'&'</a> ç") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; ç")
        #expect(HTML.escape("sem nada") == "sem nada")
    }
}
