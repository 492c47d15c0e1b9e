/**
 * One definition per event-bus publication: each record names its address, builds its JSON form and reads it
 * back, so senders and consumers in any process agree on one shape. The addresses themselves, and the shapes of
 * request/reply messages, are listed in {@link io.castbus.common.Addresses}.
 */
package io.castbus.common.bus;
