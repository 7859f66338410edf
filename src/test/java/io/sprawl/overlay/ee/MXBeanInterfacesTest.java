package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * Each MXBean interface is one the JMX introspector accepts (a bad one is only found when the server
 * registers it, and then only in its log): registered here in a private MBean server.
 */
class MXBeanInterfacesTest {

    @Test
    void everyInterfaceRegistersAsAnMXBean() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        for (Class<?> type : List.of(MembershipMXBean.class, FailureDetectorMXBean.class, MetricsMXBean.class,
                LeaderMXBean.class)) {
            assertTrue(JMX.isMXBeanInterface(type), type.getName());
            Object bean = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
            ObjectName name = new ObjectName(OverlayMXBeans.DOMAIN + ":type=" + type.getSimpleName());
            assertDoesNotThrow(() -> server.registerMBean(bean, name), type.getName());
        }
    }
}
