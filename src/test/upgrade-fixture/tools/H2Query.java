import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;

/**
 * Runs SQL queries on an H2 file and prints {"<sql>": [ {col: value, ...}, ... ], ...} as JSON.
 * usage: java -cp store-gateway.jar H2Query.java JDBC_URL "SELECT ..." ["SELECT ..." ...]
 * (user sa, no password). Run it on a COPY of the data dir: opening an H2 file writes to it.
 */
public class H2Query {
    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        try (Connection c = DriverManager.getConnection(args[0], "sa", "")) {
            for (int i = 1; i < args.length; i++) {
                ArrayNode rows = out.putArray(args[i]);
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(args[i])) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        ObjectNode row = rows.addObject();
                        for (int k = 1; k <= md.getColumnCount(); k++) {
                            Object v = rs.getObject(k);
                            String name = md.getColumnLabel(k).toLowerCase(java.util.Locale.ROOT);
                            if (v == null) row.putNull(name);
                            else if (v instanceof Number || v instanceof Boolean) row.putPOJO(name, v);
                            else row.put(name, v.toString());
                        }
                    }
                }
            }
        }
        System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }
}
