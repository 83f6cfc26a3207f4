// Package store is the DynamoDB adapter of platform.Store: one single table (see Design)
// whose key layout this package alone knows. Every key attribute is a string; names of
// templates, environments, services and instances never hold '#', the separator.
//
//	entity            pk                           sk                              gsi1 (lists by kind)     gsi2                                         gsi3 (deployables by template version)
//	template          TEMPLATE#<kind>#<name>       TEMPLATE                        TEMPLATES#<kind> / name  -                                            -
//	template version  TEMPLATE#<kind>#<name>       VERSION#<major %06d>#<minor %06d> -                      -                                            -
//	bundle marker     TEMPLATE#<kind>#<name>       BUNDLE#<major %06d>#<digest>    -                        -                                            -
//	environment       ENV#<name>                   ENV                             ENVIRONMENTS / name      -                                            DEPLOYED#ENVIRONMENT#<template>#<major> / <minor>#<target key>
//	service           SVC#<name>                   SERVICE                         SERVICES / name          -                                            -
//	service instance  SVC#<service>                INSTANCE#<name>                 INSTANCES / <service>#<name>  ENV_INSTANCES#<environment> / <service>#<name>  DEPLOYED#SERVICE#<template>#<major> / <minor>#<target key>
//	service pipeline  SVC#<service>                PIPELINE                        -                        -                                            DEPLOYED#SERVICE#<template>#<major> / <minor>#<target key>
//	deployment        DEPLOYMENT#<id>              DEPLOYMENT                      LEASED_DEPLOYMENTS / <leaseExpiresAt>#<id> (unfinished, leased)  HISTORY#<target key> / <createdAt>#<id>      SVC_HISTORY#<service> / <createdAt>#<id> (instances', pipelines')
//	client token      TOKEN#<scope>#<token>        TOKEN                           -                        -                                            -
//	estate count      COUNTS                       C#<kind>#<template>#<major>#<minor>#<shard>  -         -                                            -
//	recommendation    COUNTS                       R#<template kind>#<name>        -                        -                                            -
//
// A target key is ENVIRONMENT#<env>, SERVICE_INSTANCE#<service>#<instance> or
// SERVICE_PIPELINE#<service>; createdAt is UTC with nine fraction digits, so history sorts
// by time (newest first when read backwards) and outlives its target. Versions sort by
// number, so a backwards Query of begins_with(sk, "VERSION#") gives the highest first and
// begins_with(sk, "VERSION#<major>#") confines it to a major version. A deployable is on
// gsi3 only once it has a template version (major and minor as %06d, so a major's
// partition sorts by minor and begins_with(gsi3sk, "<minor>#") confines it to one minor).
// An unfinished deployment with a lease is on gsi1 by the expiry of its lease, so that the
// reconciler finds the expired ones with one Query (ListExpiredDeployments); its final
// write takes it off. A client token expires at expiresAt (epoch
// seconds, the table's TTL attribute); the store treats an expired token as absent before
// DynamoDB's TTL removes it.
//
// A bundle marker makes a bundle digest unique within a major version of a template
// (identical registrations under one major resolve to one version); it is written and
// deleted with its version. A template item counts its versions (attribute versions), so
// that DeleteTemplate can refuse atomically while any remain.
//
// A service item counts its instances and pipeline (attribute children), so that
// DeleteService can refuse atomically while any remain; FinishDeployment's DELETE_COMPLETE
// decrements it in the transaction that removes the instance or pipeline.
//
// The COUNTS partition answers GetResourcesSummary with one Query (see counts.go): count
// shards (total, failed) per counted kind and template version, added to by the
// transactions that create, remove, fail or move what they count, and a mirror of each
// template's recommended version written with the template.
//
// Every item carries a revision (number) for optimistic concurrency: each write of an item
// is conditioned on the stored revision and stores the next one.
package store
