package dev.smsengine;

import java.util.Map;

import org.operaton.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.operaton.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/** Operaton engine with the REST API at /engine-rest, for local tests only. */
@SpringBootApplication
public class EngineApplication {

  public static void main(String[] args) {
    SpringApplication.run(EngineApplication.class, args);
  }

  /**
   * HTTP Basic auth on the REST API, switched on by sms-engine.basic-auth=true
   * (environment variable ENGINE_BASIC_AUTH=true, see application.yaml).
   * Async support is required: fetchAndLock long polling suspends the request.
   */
  @Bean
  @ConditionalOnProperty(name = "sms-engine.basic-auth", havingValue = "true")
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> restBasicAuthFilter() {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.setName("operaton-rest-basic-auth");
    registration.setInitParameters(
        Map.of("authentication-provider", HttpBasicAuthenticationProvider.class.getName()));
    registration.addUrlPatterns("/engine-rest/*");
    registration.setAsyncSupported(true);
    return registration;
  }
}
