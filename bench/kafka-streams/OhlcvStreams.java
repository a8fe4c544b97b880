import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The baseline of the bench's Kafka comparison: the engine's six-interval OHLCV aggregation (1s, 1m,
 * 5m, 15m, 1h, 1d tumbling windows keyed by symbol, event time from the tick, 60 s grace) as a Kafka
 * Streams topology with exactly_once_v2. Each interval's candles go to `<output>.<interval>`.
 *
 * Usage: java OhlcvStreams BOOTSTRAP INPUT_TOPIC OUTPUT_PREFIX APPLICATION_ID STATE_DIR
 * It prints RUNNING once the instance has its partitions, and stops on SIGTERM.
 */
public final class OhlcvStreams {
  /** The tick as the engine's producer writes it (JSON, engine/bus/kafka/tick-records.ts). */
  public static final class Tick {
    public String symbol;
    public long ts;
    public double price;
    public double volume;
  }

  /** One window's candle; the fields the engine stores for every interval. */
  public static final class Candle {
    public long start;
    public double open;
    public double high;
    public double low;
    public double close;
    public double volume;
    public double turnover;
    public long trades;
    public long openTs;
    public long closeTs;

    Candle add(Tick t) {
      if (trades == 0 || t.ts < openTs) {
        open = t.price;
        openTs = t.ts;
      }
      if (trades == 0 || t.ts >= closeTs) {
        close = t.price;
        closeTs = t.ts;
      }
      high = trades == 0 ? t.price : Math.max(high, t.price);
      low = trades == 0 ? t.price : Math.min(low, t.price);
      volume += t.volume;
      turnover += t.volume * t.price;
      trades++;
      return this;
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static <T> Serde<T> jsonSerde(Class<T> type) {
    Serializer<T> ser =
        (topic, value) -> {
          try {
            return value == null ? null : JSON.writeValueAsBytes(value);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };
    Deserializer<T> de =
        (topic, bytes) -> {
          try {
            return bytes == null ? null : JSON.readValue(bytes, type);
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }

  /** Event time is the tick's own `ts`, as in the engine. */
  public static final class TickTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      return record.value() instanceof Tick t ? t.ts : partitionTime;
    }
  }

  private static final String[] NAMES = {"1s", "1m", "5m", "15m", "1h", "1d"};
  private static final Duration[] SIZES = {
    Duration.ofSeconds(1),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1),
    Duration.ofDays(1)
  };

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], input = args[1], outputPrefix = args[2], appId = args[3], stateDir = args[4];
    Serde<Tick> tickSerde = jsonSerde(Tick.class);
    Serde<Candle> candleSerde = jsonSerde(Candle.class);

    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, Tick> ticks = builder.stream(input, Consumed.with(Serdes.String(), tickSerde));
    for (int i = 0; i < NAMES.length; i++) {
      Duration size = SIZES[i];
      ticks
          .groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(size, Duration.ofSeconds(60)))
          .aggregate(
              Candle::new,
              (symbol, tick, candle) -> {
                candle.start = tick.ts - Math.floorMod(tick.ts, size.toMillis());
                return candle.add(tick);
              },
              Materialized.with(Serdes.String(), candleSerde))
          .toStream()
          .to(
              outputPrefix + "." + NAMES[i],
              Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, size.toMillis()), candleSerde));
    }

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, TickTime.class);
    // One stream thread per core of the machine: what a deployment on it would run.
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) System.out.println("RUNNING");
          if (now == KafkaStreams.State.ERROR) System.out.println("ERROR");
          System.out.flush();
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(10));
                  stopped.countDown();
                }));
    streams.start();
    stopped.await();
  }
}
