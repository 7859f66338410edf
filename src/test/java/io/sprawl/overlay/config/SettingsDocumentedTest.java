package io.sprawl.overlay.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's settings table names every setting with its real default. */
class SettingsDocumentedTest {

    @Test
    void everySettingIsInTheReadmeWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Setting<?> s : Settings.ALL) {
            String def = s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`";
            assertTrue(readme.contains("| `" + s.key() + "` | `" + s.key().toUpperCase().replace('.', '_')
                    .replace('-', '_') + "` | " + def + " |"), s.key() + " with default " + def + " is not in README.md");
        }
    }
}
