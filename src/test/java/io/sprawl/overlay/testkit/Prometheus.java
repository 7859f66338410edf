package io.sprawl.overlay.testkit;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Prometheus text, as a scrape reads it: each sample by its name and labels, and the declared types. */
public record Prometheus(Map<String, Double> samples, Map<String, String> types, Set<String> helped) {

    public static Prometheus parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.substring(7).split(" ");
                types.put(p[0], p[1]);
            } else if (line.startsWith("# HELP ")) {
                helped.add(line.substring(7).split(" ")[0]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space).replace(",}", "}"), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return new Prometheus(samples, types, helped);
    }

    /** The value of an application metric with these extra labels ({@code state="HEALTHY"}), or null. */
    public Double app(String name, String... labels) {
        StringBuilder key = new StringBuilder(name).append("{mp_scope=\"application\"");
        for (String l : labels) {
            key.append(',').append(l);
        }
        return samples.get(key.append('}').toString());
    }
}
