package dev.imagejobs.gateway.readmodel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.r2dbc.core.Parameter;

/**
 * A piece of one SQL statement with the named values it binds: how the features that write in the
 * transaction creating a job (the read model, the outbox, idempotency keys, admission) put their
 * writes into a single statement, so a creation costs one round trip and one commit.
 *
 * @param sql the text; its parameters are {@code :name}, unique across the parts of a statement
 * @param values the value of each parameter; {@link Parameter#empty} for a null of a given type
 */
public record SqlPart(String sql, Map<String, Object> values) {

  public SqlPart {
    values = Map.copyOf(values);
  }

  /** The statement {@code WITH <parts> <query>}: the parts are common table expressions, in order. */
  public static SqlPart with(List<SqlPart> parts, SqlPart query) {
    StringBuilder sql = new StringBuilder("WITH ");
    Map<String, Object> all = new LinkedHashMap<>();
    for (int i = 0; i < parts.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(parts.get(i).sql);
      bindAll(all, parts.get(i));
    }
    bindAll(all, query);
    return new SqlPart(sql.append(' ').append(query.sql).toString(), all);
  }

  private static void bindAll(Map<String, Object> all, SqlPart part) {
    for (Map.Entry<String, Object> value : part.values.entrySet()) {
      if (all.putIfAbsent(value.getKey(), value.getValue()) != null) {
        throw new IllegalArgumentException("Parameter :" + value.getKey() + " is bound twice");
      }
    }
  }

  /** The statement ready to run on {@code db}. */
  public GenericExecuteSpec on(DatabaseClient db) {
    GenericExecuteSpec spec = db.sql(sql);
    for (Map.Entry<String, Object> value : values.entrySet()) {
      spec = spec.bind(value.getKey(), value.getValue());
    }
    return spec;
  }

  /** A value that may be null, bound with its type. */
  public static Object nullable(Object value, Class<?> type) {
    return Parameter.fromOrEmpty(value, type);
  }
}
