package dev.smsfreemarker;

import com.fasterxml.jackson.databind.ObjectMapper;
import freemarker.core.Environment;
import freemarker.core.InvalidReferenceException;
import freemarker.core.ParseException;
import freemarker.core.PlainTextOutputFormat;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateExceptionHandler;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * Renders a batch of templates with Apache FreeMarker, one JVM for the whole batch.
 *
 * <p>Input: one JSON object a line, {"id": ..., "template": "...", "metadata": {...}}, optionally
 * with "locale" ("de_DE") and "timeZone" ("Europe/Berlin") for that template. Output:
 * one JSON object a line, in the same order, {"id": ..., "output": "..."} or {"id": ...,
 * "error": "parse" | "missing" | "other", "exception": class name, "message": first line}.
 *
 * <p>The configuration is what a Java SMS connector would use: incompatible_improvements
 * 2.3.34, en_US, UTC, plain-text output (no auto-escaping), exceptions rethrown. Metadata is
 * read by Jackson's defaults, so numbers arrive as Integer/Long/BigInteger/Double.
 */
public final class RenderBatch {
  /** Generated templates never need more; a runaway one fails as "other" instead of hanging. */
  private static final int MAX_OUTPUT_CHARS = 1_000_000;

  private RenderBatch() {}

  public static void main(String[] args) throws IOException {
    Configuration configuration = configuration();
    ObjectMapper json = new ObjectMapper();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out =
        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> request = json.readValue(line, Map.class);
      out.write(json.writeValueAsString(render(configuration, request)));
      out.write('\n');
    }
    out.flush();
  }

  static Configuration configuration() {
    Configuration configuration = new Configuration(Configuration.VERSION_2_3_34);
    configuration.setLocale(Locale.US);
    configuration.setTimeZone(TimeZone.getTimeZone("UTC"));
    configuration.setOutputFormat(PlainTextOutputFormat.INSTANCE);
    configuration.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
    configuration.setLogTemplateExceptions(false);
    configuration.setDefaultEncoding("UTF-8");
    return configuration;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> render(Configuration configuration, Map<String, Object> request) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("id", request.get("id"));
    Object metadata = request.get("metadata");
    try {
      Template template =
          new Template("smsBody", new StringReader((String) request.get("template")), configuration);
      StringWriter output = new LimitedWriter();
      Environment environment =
          template.createProcessingEnvironment(
              metadata == null ? Map.of() : (Map<String, Object>) metadata, output);
      Object locale = request.get("locale");
      if (locale != null) {
        environment.setLocale(Locale.forLanguageTag(((String) locale).replace('_', '-')));
      }
      Object timeZone = request.get("timeZone");
      if (timeZone != null) {
        environment.setTimeZone(TimeZone.getTimeZone((String) timeZone));
      }
      environment.process();
      result.put("output", output.toString());
    } catch (ParseException e) {
      failure(result, "parse", e);
    } catch (InvalidReferenceException e) {
      failure(result, "missing", e);
    } catch (Exception | StackOverflowError e) {
      failure(result, "other", e);
    }
    return result;
  }

  private static void failure(Map<String, Object> result, String kind, Throwable error) {
    result.put("error", kind);
    result.put("exception", error.getClass().getName());
    String message = String.valueOf(error.getMessage());
    result.put("message", message.lines().findFirst().orElse(""));
  }

  /** A StringWriter that refuses to grow past MAX_OUTPUT_CHARS. */
  private static final class LimitedWriter extends StringWriter {
    private void check(int more) {
      if (getBuffer().length() + more > MAX_OUTPUT_CHARS) {
        throw new IllegalStateException("output exceeds " + MAX_OUTPUT_CHARS + " characters");
      }
    }

    @Override
    public void write(int c) {
      check(1);
      super.write(c);
    }

    @Override
    public void write(char[] cbuf, int off, int len) {
      check(len);
      super.write(cbuf, off, len);
    }

    @Override
    public void write(String str, int off, int len) {
      check(len);
      super.write(str, off, len);
    }
  }
}
